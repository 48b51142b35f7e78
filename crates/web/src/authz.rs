//! The authorisation matrix: which roles may use a route. Every route in
//! [`crate::routes::table`] names one of these rules, and the check runs before its handler.

use crate::ctx::Ctx;
use crate::error::AppError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use th_core::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Everyone, signed in or not.
    Public,
    /// A session that has passed the password and may still owe its second factor.
    SessionStarted,
    /// Any account with a completed sign-in.
    Account,
    /// Administration staff with customer contact, their team leads, coordinators and
    /// administrators.
    Staff,
    /// Team leads, coordinators and administrators.
    TeamLead,
    /// Coordinators and administrators.
    Coordinator,
    /// Administrators only.
    Admin,
}

impl Access {
    /// The matrix itself: the roles each rule lets in.
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Access::Public => &[
                Visitor,
                Participant,
                OrgMember,
                Staff,
                TeamLead,
                Coordinator,
                Admin,
            ],
            Access::SessionStarted | Access::Account => {
                &[Participant, OrgMember, Staff, TeamLead, Coordinator, Admin]
            }
            Access::Staff => &[Staff, TeamLead, Coordinator, Admin],
            Access::TeamLead => &[TeamLead, Coordinator, Admin],
            Access::Coordinator => &[Coordinator, Admin],
            Access::Admin => &[Admin],
        }
    }

    pub fn allows(self, ctx: &Ctx) -> bool {
        match self {
            Access::SessionStarted => ctx.user.is_some() && !ctx.via_token,
            _ => self.roles().contains(&ctx.role()),
        }
    }
}

/// Runs the rule of the matched route.
pub async fn check(State(access): State<Access>, req: Request, next: Next) -> Response {
    let Some(ctx) = req.extensions().get::<Ctx>().cloned() else {
        return AppError::Internal("no context".into()).into_response();
    };
    if access.allows(&ctx) {
        return next.run(req).await;
    }
    if ctx.role() == Role::Visitor {
        if crate::error::is_json_path(&ctx.path) || req.method() != axum::http::Method::GET {
            return AppError::Unauthorized.into_response();
        }
        if ctx.second_factor_pending {
            return Redirect::to("/anmelden/zweiter-faktor").into_response();
        }
        let next_path = form_urlencoded::byte_serialize(ctx.path.as_bytes()).collect::<String>();
        return Redirect::to(&format!("/anmelden?weiter={next_path}")).into_response();
    }
    AppError::Forbidden.into_response()
}
