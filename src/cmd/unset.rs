//! `rsume --unset`: clear everything rsume may have set, and put back the user's own region.

use super::{Env, Output};
use crate::exports;

pub fn run(env: Env<'_>) -> Output {
    Output::Shell(exports::unset(env))
}
