//! How a command holds a new pool's import target: export and plan need one (a pool AWS will not
//! import into stops them), verify takes the pool without one (only the mapping decides then).

use crate::pools::ImportTarget;

/// An import target as a command holds it: [`ImportTarget`] (required) or
/// `Option<ImportTarget>` (where the pool has one).
pub trait HeldImportTarget: Sized {
    /// From the result of reading the pool's import target: the error stops the run, or is
    /// taken as "no import target".
    fn from_read(read: anyhow::Result<ImportTarget>) -> anyhow::Result<Self>;

    /// The import target, when there is one.
    fn target(&self) -> Option<&ImportTarget>;
}

impl HeldImportTarget for ImportTarget {
    fn from_read(read: anyhow::Result<ImportTarget>) -> anyhow::Result<Self> {
        read
    }

    fn target(&self) -> Option<&ImportTarget> {
        Some(self)
    }
}

impl HeldImportTarget for Option<ImportTarget> {
    fn from_read(read: anyhow::Result<ImportTarget>) -> anyhow::Result<Self> {
        Ok(read.ok())
    }

    fn target(&self) -> Option<&ImportTarget> {
        self.as_ref()
    }
}
