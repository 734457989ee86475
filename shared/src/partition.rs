//! Splitting one pool into one pool per tenant: which attribute names a user's tenant, and which
//! new pool serves each tenant.
//!
//! The tenant table is JSON, read by `cognito-migrate export --partition-by ... --targets FILE`
//! and by the trigger (`TENANT_TABLE_FILE`), so both halves route a user the same way:
//!
//! ```json
//! {
//!   "attribute": "custom:tenant",
//!   "tenants": {
//!     "acme":   { "pool_id": "eu-west-1_Acme1" },
//!     "globex": { "pool_id": "eu-west-1_Globex1" }
//!   }
//! }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::SourceUser;

/// Where one tenant's users go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantTarget {
    /// The tenant's new pool.
    pub pool_id: String,
}

/// Which attribute decides a user's tenant, and each tenant's new pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantTable {
    /// The old-pool attribute holding the tenant, e.g. `custom:tenant`.
    pub attribute: String,
    /// Tenant → new pool.
    pub tenants: BTreeMap<String, TenantTarget>,
}

/// A tenant table that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TenantTableError {
    /// The file could not be read.
    #[error("cannot read tenant table {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error(
        "tenant table {path} is not valid: {problem} (expected {{\"attribute\": \"custom:tenant\", \"tenants\": {{\"acme\": {{\"pool_id\": \"...\"}}}}}})"
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
}

/// Why a user belongs to no tenant of the table. Such users are reported, never dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unassigned {
    /// The user has no value for the tenant attribute.
    NoTenant {
        /// The tenant attribute.
        attribute: String,
    },
    /// The user's tenant is not in the table.
    UnknownTenant {
        /// The tenant attribute.
        attribute: String,
        /// The user's value.
        tenant: String,
    },
}

impl Unassigned {
    /// A short stable code for counting.
    pub fn code(&self) -> &'static str {
        match self {
            Unassigned::NoTenant { .. } => "no-tenant",
            Unassigned::UnknownTenant { .. } => "unknown-tenant",
        }
    }
}

impl fmt::Display for Unassigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unassigned::NoTenant { attribute } => {
                write!(
                    f,
                    "no {attribute}: the user belongs to no tenant (set it in the old pool, then export again)"
                )
            }
            Unassigned::UnknownTenant { attribute, tenant } => write!(
                f,
                "{attribute} is {tenant:?}, which has no pool in the tenant table (add it to the table)"
            ),
        }
    }
}

impl TenantTable {
    /// Reads and checks a tenant table.
    pub fn load(path: &Path) -> Result<TenantTable, TenantTableError> {
        let text = std::fs::read_to_string(path).map_err(|source| TenantTableError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        TenantTable::parse(&text, path)
    }

    /// Parses and checks tenant-table JSON; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<TenantTable, TenantTableError> {
        let invalid = |problem: String| TenantTableError::Invalid {
            path: origin.to_path_buf(),
            problem,
        };
        let table: TenantTable = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if table.attribute.trim().is_empty() {
            return Err(invalid("attribute is empty".to_string()));
        }
        if table.tenants.is_empty() {
            return Err(invalid("tenants is empty".to_string()));
        }
        let mut pools = BTreeMap::new();
        for (tenant, target) in &table.tenants {
            if tenant.is_empty() || tenant.contains(['/', '\\']) || tenant == "." || tenant == ".."
            {
                return Err(invalid(format!(
                    "tenant name {tenant:?} cannot name a folder"
                )));
            }
            if let Some(other) = pools.insert(target.pool_id.as_str(), tenant) {
                return Err(invalid(format!(
                    "tenants {other} and {tenant} share pool {}",
                    target.pool_id
                )));
            }
        }
        Ok(table)
    }

    /// The tenant a user belongs to, or why it belongs to none.
    pub fn tenant_of<'a>(&'a self, user: &SourceUser) -> Result<&'a str, Unassigned> {
        let value = user.attribute(&self.attribute).map(str::trim).unwrap_or("");
        if value.is_empty() {
            return Err(Unassigned::NoTenant {
                attribute: self.attribute.clone(),
            });
        }
        self.tenants
            .get_key_value(value)
            .map(|(tenant, _)| tenant.as_str())
            .ok_or_else(|| Unassigned::UnknownTenant {
                attribute: self.attribute.clone(),
                tenant: value.to_string(),
            })
    }

    /// The tenant whose new pool is `pool_id`.
    pub fn tenant_for_pool(&self, pool_id: &str) -> Option<&str> {
        self.tenants
            .iter()
            .find(|(_, t)| t.pool_id == pool_id)
            .map(|(tenant, _)| tenant.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceStatus;

    const TABLE: &str = r#"{"attribute":"custom:tenant","tenants":{"acme":{"pool_id":"p-acme"},"globex":{"pool_id":"p-globex"}}}"#;

    fn table() -> TenantTable {
        TenantTable::parse(TABLE, Path::new("t.json")).unwrap()
    }

    #[test]
    fn users_are_routed_by_their_tenant_attribute() {
        let user = SourceUser::new("ada", SourceStatus::Confirmed).with("custom:tenant", "acme");
        assert_eq!(table().tenant_of(&user), Ok("acme"));
        assert_eq!(table().tenant_for_pool("p-globex"), Some("globex"));
        assert_eq!(table().tenant_for_pool("p-other"), None);
    }

    #[test]
    fn users_without_a_known_tenant_are_reported_with_the_reason() {
        let none = SourceUser::new("bo", SourceStatus::Confirmed);
        let err = table().tenant_of(&none).unwrap_err();
        assert_eq!(err.code(), "no-tenant");
        assert!(err.to_string().starts_with("no custom:tenant"));
        let other = SourceUser::new("cy", SourceStatus::Confirmed).with("custom:tenant", "initech");
        let err = table().tenant_of(&other).unwrap_err();
        assert_eq!(
            err.to_string(),
            "custom:tenant is \"initech\", which has no pool in the tenant table (add it to the table)"
        );
    }

    #[test]
    fn bad_tables_are_refused() {
        for (text, problem) in [
            (
                r#"{"attribute":"custom:tenant","tenants":{}}"#,
                "tenants is empty",
            ),
            (
                r#"{"attribute":"custom:tenant","tenants":{"a/b":{"pool_id":"p"}}}"#,
                "cannot name a folder",
            ),
            (
                r#"{"attribute":"custom:tenant","tenants":{"a":{"pool_id":"p"},"b":{"pool_id":"p"}}}"#,
                "share pool p",
            ),
            (r#"{"attribute":"custom:tenant"}"#, "missing field"),
        ] {
            let err = TenantTable::parse(text, Path::new("t.json"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(problem), "{err}");
        }
    }
}
