//! A user pool id (`eu-west-1_AbC123def`): its form and the region it names.
//!
//! AWS's API reference gives the pattern `[\w-]+_[0-9a-zA-Z]+` and at most 55 characters
//! (`UserPoolId` of every operation); the part before `_` is the pool's region. Emulators use other
//! prefixes (`local_...`), which pass too. Checked here once, for the CLI's flags and the trigger's
//! environment alike, so a typo is caught before any request.

/// The longest user pool id (API reference, `UserPoolId`: maximum length 55).
const MAX_CHARS: usize = 55;

/// The region part of a user pool id (`eu-west-1_AbC123` → `eu-west-1`), or `None` when the text
/// is not a user pool id.
pub fn region(pool_id: &str) -> Option<&str> {
    let (region, id) = pool_id.split_once('_')?;
    let region_ok = !region.is_empty()
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let id_ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric());
    (region_ok && id_ok && pool_id.chars().count() <= MAX_CHARS).then_some(region)
}

/// Checks a user pool id; the error says what one looks like.
pub fn check(pool_id: &str) -> Result<(), String> {
    match region(pool_id) {
        Some(_) => Ok(()),
        None => Err(format!(
            "{pool_id:?} is not a user pool id: it looks like <region>_<id>, e.g. \
             eu-west-1_AbC123def (the Cognito console shows it on the pool's overview)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_is_the_part_before_the_underscore() {
        assert_eq!(region("us-east-1_abc"), Some("us-east-1"));
        assert_eq!(region("local_4a3pGQXw"), Some("local"));
        for bad in [
            "nounderscore",
            "us-east-1_",
            "_abc",
            "US-EAST-1_abc",
            "us-east-1_a-b",
            "us-east-1 _abc",
        ] {
            assert_eq!(region(bad), None, "{bad}");
            assert!(check(bad).unwrap_err().contains("<region>_<id>"), "{bad}");
        }
        assert_eq!(region(&format!("us-east-1_{}", "a".repeat(50))), None);
        assert!(check("eu-west-1_AbC123def").is_ok());
    }
}
