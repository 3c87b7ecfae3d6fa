//! `rsume --unset`: clear everything rsume may have set.

use super::Output;
use crate::exports;

pub fn run() -> Output {
    Output::Shell(exports::unset())
}
