//! Next steps after the integration course: from the level reached, age, aims, municipality
//! and language, which kinds of follow-up offer fit (job-related German courses, migration
//! counselling for adults or the youth migration service, Jobcenter and employment agency
//! programmes, recognition and study counselling). Each step names a topic of the taxonomy;
//! the web layer lists the local services of that topic from the directory.

/// The German level reached at the end of the course (DTZ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    BelowA2,
    A2,
    B1,
    B2,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::BelowA2, Level::A2, Level::B1, Level::B2];
    pub fn key(self) -> &'static str {
        match self {
            Level::BelowA2 => "below_a2",
            Level::A2 => "a2",
            Level::B1 => "b1",
            Level::B2 => "b2",
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            Level::BelowA2 => "next-level-below-a2",
            Level::A2 => "next-level-a2",
            Level::B1 => "next-level-b1",
            Level::B2 => "next-level-b2",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        Self::ALL.into_iter().find(|l| l.key() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aim {
    Job,
    Training,
    Study,
    Recognition,
}

impl Aim {
    pub const ALL: [Aim; 4] = [Aim::Job, Aim::Training, Aim::Study, Aim::Recognition];
    pub fn key(self) -> &'static str {
        match self {
            Aim::Job => "job",
            Aim::Training => "training",
            Aim::Study => "study",
            Aim::Recognition => "recognition",
        }
    }
    pub fn label_key(self) -> &'static str {
        match self {
            Aim::Job => "next-aim-job",
            Aim::Training => "next-aim-training",
            Aim::Study => "next-aim-study",
            Aim::Recognition => "next-aim-recognition",
        }
    }
    pub fn parse(s: &str) -> Option<Aim> {
        Self::ALL.into_iter().find(|a| a.key() == s)
    }
}

/// One recommended step: catalog keys of its title and explanation, and the topic whose local
/// services fit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    pub key: &'static str,
    pub title_key: &'static str,
    pub text_key: &'static str,
    pub topic: &'static str,
}

impl Step {
    /// Words that put the fitting course level first among the topic's services.
    pub fn hint(&self) -> Option<&'static str> {
        match self.key {
            "bsk-a2" => Some("A2 B1"),
            "bsk-b2" => Some("B1 B2"),
            "bsk-c1" => Some("B2 C1"),
            _ => None,
        }
    }
}

const fn step(
    key: &'static str,
    title_key: &'static str,
    text_key: &'static str,
    topic: &'static str,
) -> Step {
    Step {
        key,
        title_key,
        text_key,
        topic,
    }
}

/// The youth migration services take people from 12 to 27 (up to their 27th birthday).
pub const YOUTH_UNTIL: i64 = 27;

/// The fitting steps, most important first.
pub fn steps(level: Level, age: i64, aims: &[Aim]) -> Vec<Step> {
    let mut out = Vec::new();
    out.push(match level {
        Level::BelowA2 => step(
            "repeat",
            "next-step-repeat-title",
            "next-step-repeat-text",
            "language-integration-course",
        ),
        Level::A2 => step(
            "bsk-a2",
            "next-step-bsk-a2-title",
            "next-step-bsk-a2-text",
            "language-job",
        ),
        Level::B1 => step(
            "bsk-b2",
            "next-step-bsk-b2-title",
            "next-step-bsk-b2-text",
            "language-job",
        ),
        Level::B2 => step(
            "bsk-c1",
            "next-step-bsk-c1-title",
            "next-step-bsk-c1-text",
            "language-job",
        ),
    });
    if age < YOUTH_UNTIL {
        out.push(step(
            "jmd",
            "next-step-jmd-title",
            "next-step-jmd-text",
            "counselling-youth",
        ));
    } else {
        out.push(step(
            "mbe",
            "next-step-mbe-title",
            "next-step-mbe-text",
            "counselling-adults",
        ));
    }
    for a in aims {
        let s = match a {
            Aim::Job => step(
                "job",
                "next-step-job-title",
                "next-step-job-text",
                "work-jobcenter",
            ),
            Aim::Training => step(
                "training",
                "next-step-training-title",
                "next-step-training-text",
                "work-training",
            ),
            Aim::Study => step(
                "study",
                "next-step-study-title",
                "next-step-study-text",
                "study",
            ),
            Aim::Recognition => step(
                "recognition",
                "next-step-recognition-title",
                "next-step-recognition-text",
                "recognition",
            ),
        };
        if !out.iter().any(|o| o.key == s.key) {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_24_year_old_with_b1_who_wants_training() {
        let s = steps(Level::B1, 24, &[Aim::Training]);
        let keys: Vec<_> = s.iter().map(|s| s.key).collect();
        assert_eq!(keys, ["bsk-b2", "jmd", "training"]);
        assert_eq!(s[0].topic, "language-job");
    }

    #[test]
    fn adults_go_to_the_mbe_and_levels_pick_the_course() {
        let keys = |l, age, aims: &[Aim]| -> Vec<&str> {
            steps(l, age, aims).iter().map(|s| s.key).collect()
        };
        assert_eq!(keys(Level::A2, 27, &[]), ["bsk-a2", "mbe"]);
        assert_eq!(
            keys(Level::BelowA2, 40, &[Aim::Job, Aim::Job]),
            ["repeat", "mbe", "job"]
        );
        assert_eq!(
            keys(Level::B2, 30, &[Aim::Study, Aim::Recognition]),
            ["bsk-c1", "mbe", "study", "recognition"]
        );
        for s in steps(Level::B2, 20, &Aim::ALL) {
            assert!(crate::taxonomy::get(s.topic).is_some(), "{}", s.topic);
        }
    }
}
