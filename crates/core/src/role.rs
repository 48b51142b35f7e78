use std::fmt;

/// Who someone is on a tenant. The authorisation matrix (web crate) maps routes to roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Visitor,
    Participant,
    OrgMember,
    Staff,
    TeamLead,
    Coordinator,
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Visitor,
        Role::Participant,
        Role::OrgMember,
        Role::Staff,
        Role::TeamLead,
        Role::Coordinator,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Visitor => "visitor",
            Role::Participant => "participant",
            Role::OrgMember => "org_member",
            Role::Staff => "staff",
            Role::TeamLead => "team_lead",
            Role::Coordinator => "coordinator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// Coordinators and administrators must sign in with a second factor.
    pub fn requires_second_factor(self) -> bool {
        matches!(self, Role::Coordinator | Role::Admin)
    }

    /// A role that may be held by an account (visitors have none).
    pub fn is_account_role(self) -> bool {
        self != Role::Visitor
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
