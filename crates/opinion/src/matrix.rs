//! The vote matrix: one row per participant with that participant's latest vote on each
//! statement, sorted by statement. A vote is packed into one `u32` (statement index shifted
//! left by two, vote + 1 in the low bits), so 50 million votes take 200 MB.

use std::collections::HashMap;

/// A statement of a conversation as the math sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement's id (Polis's `comment-id`).
    pub id: i64,
    /// Rejected by a moderator: the votes count, the column is zero in the PCA, and it is
    /// never representative or consensus.
    pub rejected: bool,
    /// A meta statement (about the conversation itself): treated like a rejected one by the
    /// math, shown first by the priority rule.
    pub meta: bool,
}

impl Statement {
    pub fn new(id: i64) -> Self {
        Statement {
            id,
            rejected: false,
            meta: false,
        }
    }
    /// Whether the math leaves this statement's column out.
    pub fn excluded(&self) -> bool {
        self.rejected || self.meta
    }
}

/// Largest statement index a packed vote can carry.
pub const MAX_STATEMENTS: usize = 1 << 30;

#[inline]
pub fn pack(col: u32, vote: i8) -> u32 {
    (col << 2) | ((vote + 1) as u32 & 3)
}

#[inline]
pub fn unpack(p: u32) -> (usize, i8) {
    ((p >> 2) as usize, (p & 3) as i8 - 1)
}

/// Participants, statements and the latest votes.
#[derive(Debug, Clone, Default)]
pub struct Conversation {
    /// External participant ids; the index is the row.
    pub participants: Vec<i64>,
    /// Statements; the index is the column.
    pub statements: Vec<Statement>,
    /// Per participant: packed votes sorted by column, at most one per column.
    pub rows: Vec<Vec<u32>>,
    participant_index: HashMap<i64, u32>,
    statement_index: HashMap<i64, u32>,
}

impl Conversation {
    pub fn new() -> Self {
        Self::default()
    }

    /// The column of a statement, adding it when it is new.
    pub fn statement(&mut self, s: Statement) -> usize {
        if let Some(&c) = self.statement_index.get(&s.id) {
            let c = c as usize;
            self.statements[c].rejected = s.rejected;
            self.statements[c].meta = s.meta;
            return c;
        }
        let c = self.statements.len();
        self.statement_index.insert(s.id, c as u32);
        self.statements.push(s);
        c
    }

    pub fn column_of(&self, id: i64) -> Option<usize> {
        self.statement_index.get(&id).map(|&c| c as usize)
    }

    pub fn row_of(&self, participant: i64) -> Option<usize> {
        self.participant_index
            .get(&participant)
            .map(|&r| r as usize)
    }

    /// The row of a participant, adding it when it is new.
    pub fn participant(&mut self, id: i64) -> usize {
        if let Some(&r) = self.participant_index.get(&id) {
            return r as usize;
        }
        let r = self.participants.len();
        self.participant_index.insert(id, r as u32);
        self.participants.push(id);
        self.rows.push(Vec::new());
        r
    }

    /// Records a vote (-1, 0 or 1), replacing the participant's earlier vote on the statement.
    /// Returns false when the vote or the statement is unknown.
    pub fn vote(&mut self, participant: i64, statement: i64, vote: i8) -> bool {
        if !(-1..=1).contains(&vote) {
            return false;
        }
        let Some(col) = self.column_of(statement) else {
            return false;
        };
        let r = self.participant(participant);
        set(&mut self.rows[r], col as u32, vote);
        true
    }

    /// Appends a vote to a row known to be built in column order (bulk loading): the caller
    /// guarantees `col` is not smaller than the row's last column; an equal column replaces.
    pub fn push_sorted(&mut self, row: usize, col: u32, vote: i8) {
        let r = &mut self.rows[row];
        match r.last() {
            Some(&last) if (last >> 2) == col => {
                if let Some(l) = r.last_mut() {
                    *l = pack(col, vote);
                }
            }
            Some(&last) if (last >> 2) > col => set(r, col, vote),
            _ => r.push(pack(col, vote)),
        }
    }

    pub fn vote_count(&self) -> usize {
        self.rows.iter().map(Vec::len).sum()
    }

    /// Rebuilds the id lookups after the vectors were filled directly.
    pub fn reindex(&mut self) {
        self.participant_index = self
            .participants
            .iter()
            .enumerate()
            .map(|(i, &p)| (p, i as u32))
            .collect();
        self.statement_index = self
            .statements
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id, i as u32))
            .collect();
    }

    /// Builds from parts: `rows[i]` must be sorted by column without repeats.
    pub fn from_parts(
        participants: Vec<i64>,
        statements: Vec<Statement>,
        rows: Vec<Vec<u32>>,
    ) -> Self {
        let mut c = Conversation {
            participants,
            statements,
            rows,
            ..Default::default()
        };
        c.reindex();
        c
    }
}

fn set(row: &mut Vec<u32>, col: u32, vote: i8) {
    match row.binary_search_by_key(&col, |p| p >> 2) {
        Ok(i) => row[i] = pack(col, vote),
        Err(i) => row.insert(i, pack(col, vote)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_votes_replace_earlier_ones_and_rows_stay_sorted() {
        let mut c = Conversation::new();
        for id in [10, 5, 7] {
            c.statement(Statement::new(id));
        }
        assert!(c.vote(1, 7, 1));
        assert!(c.vote(1, 10, -1));
        assert!(c.vote(1, 7, 0));
        assert!(!c.vote(1, 99, 1), "unknown statement");
        assert!(!c.vote(1, 5, 2), "unknown vote value");
        let r = c.row_of(1).unwrap_or(usize::MAX);
        let row: Vec<(usize, i8)> = c.rows[r].iter().map(|&p| unpack(p)).collect();
        assert_eq!(row, vec![(0, -1), (2, 0)]);
        assert_eq!(c.vote_count(), 2);
    }
}
