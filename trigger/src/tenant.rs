//! The tenant rule of a split per tenant, the one all three jobs apply: a new pool admits only
//! the old users of its tenant (`TENANT`, or the tenant `TENANT_TABLE` gives the calling pool).
//! The sign-in path migrates nobody else ([`crate::decide::tenant_refusal`]), the sign-up guard
//! protects nobody else's names, and the token companion proves nobody else.

use shared::SourceUser;
use shared::partition::TenantTable;

/// Which tenant's users a new pool admits: `TENANT`, or the tenant the table gives the calling
/// pool (the same table `cognito-migrate export --targets` reads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRule {
    /// The tenant table.
    pub table: TenantTable,
    /// The fixed tenant, or `None` to take it from the event's `userPoolId`.
    pub tenant: Option<String>,
}

impl TenantRule {
    /// The tenant a calling pool admits, or `None` when the table does not know that pool.
    pub fn admitted<'a>(&'a self, user_pool_id: Option<&str>) -> Option<&'a str> {
        match &self.tenant {
            Some(tenant) => Some(tenant),
            None => user_pool_id.and_then(|pool| self.table.tenant_for_pool(pool)),
        }
    }

    /// True when `user` belongs to the tenant the calling pool admits (`false` for a user of no
    /// tenant, or a pool the table does not know).
    pub fn admits(&self, user_pool_id: Option<&str>, user: &SourceUser) -> bool {
        match (self.table.tenant_of(user), self.admitted(user_pool_id)) {
            (Ok(tenant), Some(admitted)) => tenant == admitted,
            _ => false,
        }
    }
}
