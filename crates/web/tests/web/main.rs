//! Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod api_coordination;
mod authz;
mod bad_input;
mod common;
mod concept;
mod contributions;
mod events;
mod forum;
mod guide;
mod invitations;
mod measures;
mod monitoring;
mod my_org;
mod opinion;
mod orgs;
mod pages;
mod processes;
mod security;
mod tenants;
mod themes;
