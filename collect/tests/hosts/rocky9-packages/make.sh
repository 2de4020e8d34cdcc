#!/usr/bin/env bash
# Makes the package data of the rocky9 fixture tree (README.md beside this script says what it
# holds): the rpm database var/lib/rpm/rpmdb.sqlite and dnf's cached metadata under
# var/cache/dnf. Needs rpm, rpmbuild, createrepo_c and modifyrepo_c (on Debian 12:
# apt-get install rpm createrepo-c zstd gpg). The tests only read what it made; they never run it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tree="$here/../rocky9"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The rpm database: empty packages (no files) built and recorded with --justdb, so nothing is
# installed on this machine. The list's order is the install order: the older kernel-core
# goes in first, as on a host that updated it.
db="$tree/var/lib/rpm"
rm -rf "$db"
mkdir -p "$db"
rpm=(rpm --define '_db_backend sqlite' --dbpath "$db")
"${rpm[@]}" --initdb
while read -r name epoch version release arch; do
  spec="$work/$name-$version-$release.$arch.spec"
  {
    echo "Name: $name"
    [ "$epoch" = - ] || echo "Epoch: $epoch"
    echo "Version: $version"
    echo "Release: $release"
    echo "Summary: rulec fixture package"
    echo "License: Apache-2.0"
    echo "BuildArch: $arch"
    echo "%description"
    echo "An empty package for rulec's host fixture."
    echo "%files"
  } >"$spec"
  rpmbuild --quiet --define "_topdir $work/build" --target "$arch" -bb "$spec"
  "${rpm[@]}" -i --justdb --nodeps --noscripts --ignorearch \
    "$work/build/RPMS/$arch/$name-$version-$release.$arch.rpm"
done <<'LIST'
bash - 5.1.8 6.el9_1 x86_64
openssl 1 3.0.7 24.el9 x86_64
openssl-libs 1 3.0.7 24.el9 x86_64
openssh-server - 8.7p1 34.el9 x86_64
less - 590 2.el9 x86_64
kernel-core - 5.14.0 362.8.1.el9_3 x86_64
kernel-core - 5.14.0 362.13.1.el9_3 x86_64
sudo - 1.9.5p2 9.el9 x86_64
tzdata - 2023c 1.el9 noarch
python3-requests - 2.25.1 7.el9 noarch
nodejs 1 16.20.2 4.el9_3 x86_64
postgresql-server - 15.3 1.module+el9.2.0+14+8a3f3a2b x86_64
fail2ban-server - 1.0.2 3.el9 noarch
LIST
# An imported signing key is a `gpg-pubkey` pseudo-package in the same table.
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'rulec fixture <fixture@example.invalid>' ed25519 sign never
gpg --batch --quiet --armor --export >"$work/key.asc"
"${rpm[@]}" --import "$work/key.asc"
# What rpm leaves beside the database while it runs (the lock, the shared-memory index, the
# write-ahead log, emptied when rpm exits) is not part of the fixture.
rm -f "$db/.rpm.lock" "$db/rpmdb.sqlite-shm" "$db/rpmdb.sqlite-wal"

# dnf's cache: one folder per repository, with the repomd.xml and updateinfo that
# createrepo_c and modifyrepo_c write (an empty repository, then the advisories added).
cache="$tree/var/cache/dnf"
rm -rf "$cache"
mkdir -p "$cache"
while read -r repo compression; do
  dir="$cache/$repo"
  mkdir -p "$dir"
  createrepo_c --quiet --no-database --revision 1717000000 "$dir"
  cp "$here/${repo%%-*}-updateinfo.xml" "$work/updateinfo.xml"
  case "$compression" in
    gz) modifyrepo_c --mdtype updateinfo --compress-type gz "$work/updateinfo.xml" "$dir/repodata" ;;
    zst)
      # createrepo_c 0.17 (Debian 12) can neither write nor add zstd: the zstd tool compresses,
      # and the <data> entry is written as createrepo_c writes its others.
      open_sum=$(sha256sum <"$work/updateinfo.xml" | cut -d' ' -f1)
      open_size=$(stat -c %s "$work/updateinfo.xml")
      zstd --quiet -19 "$work/updateinfo.xml" -o "$work/updateinfo.xml.zst"
      sum=$(sha256sum <"$work/updateinfo.xml.zst" | cut -d' ' -f1)
      size=$(stat -c %s "$work/updateinfo.xml.zst")
      mv "$work/updateinfo.xml.zst" "$dir/repodata/$sum-updateinfo.xml.zst"
      entry="  <data type=\"updateinfo\">
    <checksum type=\"sha256\">$sum</checksum>
    <open-checksum type=\"sha256\">$open_sum</open-checksum>
    <location href=\"repodata/$sum-updateinfo.xml.zst\"/>
    <timestamp>1717000000</timestamp>
    <size>$size</size>
    <open-size>$open_size</open-size>
  </data>"
      awk -v entry="$entry" '/^<\/repomd>/ { print entry } { print }' "$dir/repodata/repomd.xml" >"$work/repomd.xml"
      mv "$work/repomd.xml" "$dir/repodata/repomd.xml"
      ;;
  esac
done <<'LIST'
baseos-044cae74d71fe9ea gz
appstream-25485261a76941d3 gz
epel-d8a9a8e4f7b2c1a0 zst
LIST
# dnf's own bookkeeping files sit beside the repository folders.
echo '[]' >"$cache/expired_repos.json"
: >"$cache/last_makecache"

# The module streams dnf enabled: postgresql 15; nodejs stays the non-modular 16.
mkdir -p "$tree/etc/dnf/modules.d"
printf '[postgresql]\nname=postgresql\nstream=15\nprofiles=\nstate=enabled\n' >"$tree/etc/dnf/modules.d/postgresql.module"
