//! Shape detection for answers saved outside the layout.

use std::path::Path;

use crate::raw::CallFile;
use crate::{ImportError, Options};

/// The call a file's answer is, when its shape says so unambiguously.
pub(crate) fn detect(_file: &Path, _options: &Options) -> Result<Option<CallFile>, ImportError> {
    Ok(None)
}
