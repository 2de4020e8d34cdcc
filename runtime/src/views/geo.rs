//! Where an address is, from a MaxMind or DB-IP `.mmdb` database the user supplies
//! (`--geoip FILE`). Without one, or for an address it does not know, the location is
//! unknown: never guessed.

use std::net::IpAddr;
use std::path::Path;

use maxminddb::{Reader, geoip2};
use serde::Serialize;

/// An opened database.
pub struct GeoDb {
    reader: Reader<Vec<u8>>,
    /// `database_type` from its metadata, e.g. `GeoLite2-City`, `DBIP-City-Lite`.
    pub kind: String,
}

impl std::fmt::Debug for GeoDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoDb").field("kind", &self.kind).finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot read the geolocation database `{path}`: {message}")]
pub struct GeoError {
    path: String,
    message: String,
}

/// What a database says about one address: the names in English, when it has them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// ISO 3166-1 alpha-2, e.g. `CN`, `GB`.
    pub country_code: Option<String>,
    pub country: Option<String>,
    /// The first subdivision (province, state).
    pub region: Option<String>,
    pub city: Option<String>,
}

impl GeoDb {
    pub fn open(path: &Path) -> Result<GeoDb, GeoError> {
        let reader = Reader::open_readfile(path)
            .map_err(|e| GeoError { path: path.display().to_string(), message: e.to_string() })?;
        let kind = reader.metadata.database_type.clone();
        Ok(GeoDb { reader, kind })
    }

    /// The address's location; `None` when the database has no record for it (private
    /// addresses, or a range it does not cover) or the record has no country or city.
    pub fn locate(&self, ip: IpAddr) -> Option<Location> {
        let city: geoip2::City = self.reader.lookup(ip).ok()?.decode().ok()??;
        let location = Location {
            country_code: city.country.iso_code.map(str::to_owned),
            country: city.country.names.english.map(str::to_owned),
            region: city.subdivisions.first().and_then(|s| s.names.english).map(str::to_owned),
            city: city.city.names.english.map(str::to_owned),
        };
        (location.country_code.is_some() || location.city.is_some()).then_some(location)
    }
}
