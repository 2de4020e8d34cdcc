# CIS Distribution Independent Linux 2.0.0, 5.4.4 and 5.4.5
umask 027
readonly TMOUT=900 ; export TMOUT
