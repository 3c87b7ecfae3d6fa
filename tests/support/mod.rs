//! Shared helpers for the integration tests (`mod support;` in each test file).
//!
//! - [`moto`]: a real moto STS server, one per test binary, killed when the
//!   test process exits.
//! - [`authenticator`]: reads rsume's QR code back and makes TOTP codes, as a phone would.
//! - [`fake_sts`]: a scripted STS speaking real STS XML (errors, hangs,
//!   truncated bodies), one per test, recording every request.
//! - [`fake_sso`]: a fake IAM Identity Center portal and SSO-OIDC, recording every request.
//! - [`moto_iam`]: moto's IAM driven directly (users, keys, devices), and HTTP passed on.
//! - [`iam_user`]: a sandbox holding a moto IAM user's keys, and a pty for `rsume mfa`.
//! - [`powershell`]: checks PowerShell code by grammar and by PowerShell's quote rule.
//! - [`tls`]: a test CA and a TLS endpoint it signed, in front of moto.
//! - [`proxy`]: a CONNECT proxy that records where it tunnels.
//! - [`sandbox`]: a throwaway HOME with AWS files, and ways to run rsume in it.
//! - [`source`]: the crate's `.rs` files, for the structural tests.

// Each integration-test binary compiles this module but uses only a subset.
#![allow(dead_code)]

pub mod authenticator;
pub mod fake_sso;
pub mod fake_sts;
pub mod iam_user;
pub mod metadata;
pub mod moto;
pub mod moto_iam;
pub mod powershell;
pub mod proxy;
pub mod sandbox;
pub mod source;
pub mod tls;
