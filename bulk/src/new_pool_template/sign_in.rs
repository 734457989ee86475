//! The new pool's sign-in shape as `--sign-in` names it, and what it sets in the pool.
//!
//! Grammar, one of:
//! - `email`, `phone`, `email-or-phone`: the value is the user name (`UsernameAttributes`);
//! - `username`, optionally followed by `+email`, `+phone`, `+preferred_username` in any order:
//!   a free user name with those aliases (`AliasAttributes`).
//!
//! AWS lets a pool have one of the two lists, never both, which the grammar mirrors: aliases only
//! exist beside a free user name.

use std::fmt;
use std::str::FromStr;

/// How people sign in to the new pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInShape {
    /// The e-mail, the phone, or either, is the user name (`UsernameAttributes`).
    ValueAsUserName(Vec<&'static str>),
    /// A free user name, with these aliases (`AliasAttributes`, maybe none).
    UserName(Vec<&'static str>),
}

impl SignInShape {
    /// `UsernameAttributes` of the pool.
    pub fn username_attributes(&self) -> &[&'static str] {
        match self {
            SignInShape::ValueAsUserName(values) => values,
            SignInShape::UserName(_) => &[],
        }
    }

    /// `AliasAttributes` of the pool.
    pub fn alias_attributes(&self) -> &[&'static str] {
        match self {
            SignInShape::ValueAsUserName(_) => &[],
            SignInShape::UserName(aliases) => aliases,
        }
    }

    /// Every attribute a person signs in with besides a free user name.
    pub fn sign_in_attributes(&self) -> &[&'static str] {
        match self {
            SignInShape::ValueAsUserName(values) | SignInShape::UserName(values) => values,
        }
    }

    /// The migration stack's `NewPoolSignIn` (the trigger's `NEW_POOL_SIGN_IN`) for this shape:
    /// what people type, lower case and comma-separated, as deploy/template.yaml takes it.
    pub fn stack_sign_in(&self) -> String {
        match self {
            SignInShape::ValueAsUserName(values) => values.join(","),
            SignInShape::UserName(aliases) => std::iter::once(&"username")
                .chain(aliases)
                .copied()
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    /// The migration stack's `ReturnOldUsername` for this shape: AWS lets the trigger answer with
    /// the old user name "only if the submitted user name matches an alias attribute", so only a
    /// pool with alias attributes may get it.
    pub fn returns_old_username(&self) -> bool {
        !self.alias_attributes().is_empty()
    }

    /// The e-mail/phone attributes among them: each must be verified before a change counts.
    pub fn verifiable(&self) -> Vec<&'static str> {
        self.sign_in_attributes()
            .iter()
            .copied()
            .filter(|a| *a == "email" || *a == "phone_number")
            .collect()
    }
}

const GRAMMAR: &str = "email, phone, email-or-phone, or username followed by any of +email, \
                       +phone, +preferred_username (e.g. username+email+phone)";

impl FromStr for SignInShape {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "email" => return Ok(SignInShape::ValueAsUserName(vec!["email"])),
            "phone" => return Ok(SignInShape::ValueAsUserName(vec!["phone_number"])),
            "email-or-phone" => {
                return Ok(SignInShape::ValueAsUserName(vec!["email", "phone_number"]));
            }
            _ => {}
        }
        let mut parts = value.split('+');
        if parts.next() != Some("username") {
            return Err(format!("unknown sign-in shape {value:?}: use {GRAMMAR}"));
        }
        let mut aliases = Vec::new();
        for part in parts {
            let alias = match part {
                "email" => "email",
                "phone" => "phone_number",
                "preferred_username" => "preferred_username",
                _ => {
                    return Err(format!(
                        "unknown alias {part:?} in {value:?}: use {GRAMMAR}"
                    ));
                }
            };
            if aliases.contains(&alias) {
                return Err(format!("{part:?} is named twice in {value:?}"));
            }
            aliases.push(alias);
        }
        aliases.sort_unstable();
        Ok(SignInShape::UserName(aliases))
    }
}

impl fmt::Display for SignInShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn short(a: &str) -> &str {
            if a == "phone_number" { "phone" } else { a }
        }
        match self {
            SignInShape::ValueAsUserName(values) if values.len() == 2 => {
                f.write_str("email-or-phone")
            }
            SignInShape::ValueAsUserName(values) => {
                f.write_str(values.first().map(|a| short(a)).unwrap_or_default())
            }
            SignInShape::UserName(aliases) => {
                f.write_str("username")?;
                for alias in aliases {
                    write!(f, "+{}", short(alias))?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_shapes_set_username_attributes() {
        let shape: SignInShape = "email-or-phone".parse().unwrap();
        assert_eq!(shape.username_attributes(), ["email", "phone_number"]);
        assert!(shape.alias_attributes().is_empty());
        assert_eq!(shape.to_string(), "email-or-phone");
        let phone: SignInShape = "phone".parse().unwrap();
        assert_eq!(phone.verifiable(), ["phone_number"]);
    }

    #[test]
    fn the_stack_parameters_follow_the_shape() {
        for (shape, sign_in, returns) in [
            ("email", "email", false),
            ("phone", "phone_number", false),
            ("email-or-phone", "email,phone_number", false),
            ("username", "username", false),
            ("username+phone", "username,phone_number", true),
            (
                "username+preferred_username+email",
                "username,email,preferred_username",
                true,
            ),
        ] {
            let shape: SignInShape = shape.parse().unwrap();
            assert_eq!(shape.stack_sign_in(), sign_in, "{shape}");
            assert_eq!(shape.returns_old_username(), returns, "{shape}");
        }
    }

    #[test]
    fn user_names_take_aliases_in_any_order() {
        let shape: SignInShape = "username+preferred_username+phone+email".parse().unwrap();
        assert_eq!(
            shape.alias_attributes(),
            ["email", "phone_number", "preferred_username"]
        );
        assert_eq!(shape.verifiable(), ["email", "phone_number"]);
        assert_eq!(shape.to_string(), "username+email+phone+preferred_username");
        let bare: SignInShape = "username".parse().unwrap();
        assert!(bare.sign_in_attributes().is_empty());
    }

    #[test]
    fn unknown_or_repeated_parts_are_refused_with_the_grammar() {
        for bad in [
            "e-mail",
            "email+username",
            "username+email+email",
            "username+sub",
        ] {
            let err = bad.parse::<SignInShape>().unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
        assert!(
            "nope"
                .parse::<SignInShape>()
                .unwrap_err()
                .contains("username+email+phone")
        );
    }
}
