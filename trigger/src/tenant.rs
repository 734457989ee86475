//! The tenant rule of a split per tenant, the one all three jobs apply ([`admits`]): a new pool
//! admits only the old users of its tenant (`TENANT`, or the tenant `TENANT_TABLE` gives the
//! calling pool). The sign-in path migrates nobody else ([`crate::decide::tenant_refusal`]), the
//! sign-up guard protects nobody else's names, and the token companion proves nobody else.
//!
//! A user's tenant and a tenant's pool are [`shared::partition`]'s ([`TenantTable::tenant_of`],
//! [`TenantTable::tenant_for_pool`]), the same rules `cognito-migrate` routes users by; this
//! module adds only what the function is told at deployment (`TENANT`, or the calling pool),
//! which bulk, routing every user to its tenant's pool, has no use for.

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

/// True when the calling pool (`user_pool_id`) admits `user`: always without a split (`rule`
/// `None`), else only a user of the tenant the pool admits ([`TenantRule::admits`]).
pub fn admits(rule: Option<&TenantRule>, user_pool_id: Option<&str>, user: &SourceUser) -> bool {
    rule.is_none_or(|rule| rule.admits(user_pool_id, user))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use shared::SourceStatus;

    use super::*;

    #[test]
    fn a_pool_admits_its_tenants_users_and_everyone_without_a_split() {
        let table = TenantTable::parse(
            r#"{"attribute":"custom:tenant","tenants":{"acme":{"pool_id":"p-acme"},"globex":{"pool_id":"p-globex"}}}"#,
            Path::new("t.json"),
        )
        .unwrap();
        let by_pool = TenantRule {
            table: table.clone(),
            tenant: None,
        };
        let fixed = TenantRule {
            table,
            tenant: Some("globex".into()),
        };
        let acme = SourceUser::new("ada", SourceStatus::Confirmed).with("custom:tenant", "acme");
        let nobody = SourceUser::new("bo", SourceStatus::Confirmed);
        assert!(admits(None, Some("p-acme"), &nobody), "no split");
        assert!(admits(Some(&by_pool), Some("p-acme"), &acme));
        assert!(!admits(Some(&by_pool), Some("p-globex"), &acme));
        assert!(!admits(Some(&by_pool), Some("p-unknown"), &acme));
        assert!(!admits(Some(&by_pool), Some("p-acme"), &nobody));
        assert!(
            !admits(Some(&fixed), Some("p-acme"), &acme),
            "TENANT outranks the pool"
        );
    }
}
