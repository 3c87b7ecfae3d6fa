//! Reading the environment as the AWS CLI and SDKs do: a variable set to the empty string
//! counts as unset, so `AWS_REGION=` leaves `AWS_DEFAULT_REGION` in charge.

/// The value of `name`, unless it is unset or empty.
pub fn read(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    env(name).filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn empty_is_unset() {
        let env = |name: &str| match name {
            "EMPTY" => Some(String::new()),
            "SET" => Some("x".to_owned()),
            _ => None,
        };
        assert_eq!(super::read(&env, "EMPTY"), None);
        assert_eq!(super::read(&env, "UNSET"), None);
        assert_eq!(super::read(&env, "SET").as_deref(), Some("x"));
    }
}
