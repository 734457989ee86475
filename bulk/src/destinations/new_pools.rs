//! Which new pools a run has (one, or one per tenant of the tenant table) and which of them an old
//! user belongs to.

use shared::SourceUser;
use shared::partition::{TenantTable, Unassigned};

/// The new pools of a run, in a fixed order, and the tenant table that routes users to them.
#[derive(Debug, Clone)]
pub struct NewPools {
    /// `(tenant, pool id)`; one `("", pool id)` without a tenant table.
    pools: Vec<(String, String)>,
    tenants: Option<TenantTable>,
}

impl NewPools {
    /// A run with a single new pool: every user goes to it.
    pub fn one(pool_id: &str) -> NewPools {
        NewPools {
            pools: vec![(String::new(), pool_id.to_string())],
            tenants: None,
        }
    }

    /// A run split per tenant: one pool per tenant of `table`.
    pub fn per_tenant(table: TenantTable) -> NewPools {
        let pools = table
            .tenants
            .iter()
            .map(|(tenant, target)| (tenant.clone(), target.pool_id.clone()))
            .collect();
        NewPools {
            pools,
            tenants: Some(table),
        }
    }

    /// `(tenant, pool id)` of every pool, in routing order.
    pub fn names_and_ids(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pools
            .iter()
            .map(|(name, pool_id)| (name.as_str(), pool_id.as_str()))
    }

    /// True when the run is split per tenant.
    pub fn partitioned(&self) -> bool {
        self.tenants.is_some()
    }

    /// The index of the pool `user` belongs to: the only one, or its tenant's.
    pub fn route(&self, user: &SourceUser) -> Result<usize, Unassigned> {
        let Some(table) = &self.tenants else {
            return Ok(0);
        };
        let tenant = table.tenant_of(user)?;
        Ok(self
            .pools
            .iter()
            .position(|(name, _)| name == tenant)
            .expect("a pool per tenant of the table"))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use shared::SourceStatus;

    use super::*;

    #[test]
    fn a_single_pool_takes_every_user() {
        let pools = NewPools::one("pool-1");
        let user = SourceUser::new("ada", SourceStatus::Confirmed);
        assert_eq!(pools.route(&user), Ok(0));
        assert!(!pools.partitioned());
    }

    #[test]
    fn each_user_goes_to_its_tenants_pool_and_the_others_are_unassigned() {
        let table = TenantTable::parse(
            r#"{"attribute": "custom:tenant",
                "tenants": {"acme": {"pool_id": "pool-a"}, "bolt": {"pool_id": "pool-b"}}}"#,
            Path::new("tenants.json"),
        )
        .unwrap();
        let pools = NewPools::per_tenant(table);
        let names: Vec<_> = pools.names_and_ids().collect();
        assert_eq!(names, [("acme", "pool-a"), ("bolt", "pool-b")]);
        let user = |tenant: &str| {
            SourceUser::new("ada", SourceStatus::Confirmed).with("custom:tenant", tenant)
        };
        assert_eq!(pools.route(&user("bolt")), Ok(1));
        assert_eq!(pools.route(&user("acme")), Ok(0));
        assert_eq!(
            pools.route(&user("zeta")).unwrap_err().code(),
            "unknown-tenant"
        );
        let without = SourceUser::new("bo", SourceStatus::Confirmed);
        assert_eq!(pools.route(&without).unwrap_err().code(), "no-tenant");
    }
}
