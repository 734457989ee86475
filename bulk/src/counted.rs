//! A count with its noun, singular for one ("1 group", "2 groups"): the one rule every report
//! line that counts things follows.

/// `n` and `thing`, with an `s` unless `n` is one.
pub fn counted(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(counted(0, "identity provider"), "0 identity providers");
        assert_eq!(counted(1, "identity provider"), "1 identity provider");
        assert_eq!(counted(2, "random row"), "2 random rows");
    }
}
