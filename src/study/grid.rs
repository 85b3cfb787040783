//! A study's grid: seeds × data sets × models × widths × Fisher variants, expanded into runs.
//! Each run is one `reproduce` command, so a run of a study is, to the bit, the `reproduce` run
//! of the same settings (one thread: `reproduce` never splits a batch).

use serde::{Deserialize, Serialize};

use crate::fisher::FisherVariant;
use crate::network::ModelKind;

/// What a study varies. Every combination is one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyGrid {
    pub seeds: Vec<u64>,
    /// Data directories as `reproduce --data` takes them (shards or IDX, converted or not).
    pub data: Vec<String>,
    pub models: Vec<ModelKind>,
    /// The autoencoder's latent widths m.
    pub latents: Vec<usize>,
    /// The classifier's hidden widths, one list per network.
    pub hiddens: Vec<Vec<usize>>,
    /// `None` is the model's own Fisher.
    pub fisher_variants: Vec<Option<FisherVariant>>,
    /// Passed to every run as they are (`--epochs 1`, `--eigen`, …).
    pub extra_args: Vec<String>,
}

/// One run of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct StudyRun {
    /// Names its files: `runs/{id}.json`, `.log`, `.failed.json`.
    pub id: String,
    /// `reproduce`'s arguments, without `--report`.
    pub args: Vec<String>,
}

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum GridError {
    #[error("the grid has no {0}")]
    Empty(&'static str),
    #[error(
        "data directories {0} and {1} end in the same name, which names their runs: rename one"
    )]
    SameName(String, String),
    #[error("the {model} has no {variant} Fisher")]
    Variant {
        model: &'static str,
        variant: String,
    },
}

impl StudyGrid {
    /// Every run, in the order a study takes them: seed last, so the first runs already cover
    /// every cell.
    pub fn runs(&self) -> Result<Vec<StudyRun>, GridError> {
        for (empty, what) in [
            (self.seeds.is_empty(), "seeds"),
            (self.data.is_empty(), "data sets"),
            (self.models.is_empty(), "models"),
            (self.fisher_variants.is_empty(), "Fisher variants"),
        ] {
            if empty {
                return Err(GridError::Empty(what));
            }
        }
        let names: Vec<String> = self.data.iter().map(|d| data_label(d)).collect();
        for (i, a) in names.iter().enumerate() {
            if let Some(j) = names[..i].iter().position(|b| b == a) {
                return Err(GridError::SameName(
                    self.data[j].clone(),
                    self.data[i].clone(),
                ));
            }
        }
        let mut cells = Vec::new();
        for (data, name) in self.data.iter().zip(&names) {
            for &model in &self.models {
                let widths = self.widths(model)?;
                for width in widths {
                    for &variant in &self.fisher_variants {
                        if let Some(variant) = variant {
                            model
                                .check_fisher(variant)
                                .map_err(|_| GridError::Variant {
                                    model: model.name(),
                                    variant: variant_name(variant),
                                })?;
                        }
                        cells.push((data, name, model, width.clone(), variant));
                    }
                }
            }
        }
        let mut runs = Vec::new();
        for &seed in &self.seeds {
            for (data, name, model, width, variant) in &cells {
                let mut args = vec![
                    "--data".to_string(),
                    data.to_string(),
                    "--model".into(),
                    model.name().into(),
                ];
                args.extend(width.args.iter().cloned());
                let mut id = format!("{name}-{}-{}", model.name(), width.label);
                if let Some(variant) = variant {
                    args.extend(["--fisher-variant".into(), variant_name(*variant)]);
                    id.push('-');
                    id.push_str(&variant_name(*variant));
                }
                args.extend(["--seed".into(), seed.to_string()]);
                args.extend(self.extra_args.iter().cloned());
                runs.push(StudyRun {
                    id: format!("{id}-seed{seed}"),
                    args,
                });
            }
        }
        Ok(runs)
    }

    /// The widths `model` is run at: its arguments and how a run's name writes them.
    fn widths(&self, model: ModelKind) -> Result<Vec<Width>, GridError> {
        let widths: Vec<Width> = match model {
            ModelKind::Autoencoder => (self.latents.iter())
                .map(|m| Width {
                    args: vec!["--latent".into(), m.to_string()],
                    label: format!("m{m}"),
                })
                .collect(),
            ModelKind::Classifier => (self.hiddens.iter())
                .map(|h| {
                    let list: Vec<String> = h.iter().map(usize::to_string).collect();
                    Width {
                        args: vec!["--hidden".into(), list.join(",")],
                        label: format!("h{}", list.join("x")),
                    }
                })
                .collect(),
        };
        if widths.is_empty() {
            return Err(GridError::Empty(match model {
                ModelKind::Autoencoder => "latent widths",
                ModelKind::Classifier => "hidden widths",
            }));
        }
        Ok(widths)
    }
}

#[derive(Clone)]
struct Width {
    args: Vec<String>,
    label: String,
}

fn variant_name(variant: FisherVariant) -> String {
    (serde_json::to_value(variant).expect("a variant serialises"))
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A data directory's name in run ids and summaries: its last component, with anything but
/// letters, digits, `-` and `_` made `_` (reports gathered from several machines name the same
/// data set by different paths, but by the same last name).
pub fn data_label(data: &str) -> String {
    let trimmed = data.trim_end_matches(['/', '\\']);
    let last = trimmed.rsplit(['/', '\\']).next().unwrap_or(trimmed);
    let label: String = (last.chars())
        .map(
            |c| match c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                true => c,
                false => '_',
            },
        )
        .collect();
    match label.is_empty() {
        true => "data".to_string(),
        false => label,
    }
}

/// `1-20`, `1,2,5`, or both (`1-3,10`).
pub fn parse_seeds(text: &str) -> Result<Vec<u64>, String> {
    let mut seeds = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let number = |t: &str| {
            (t.trim().parse::<u64>()).map_err(|_| format!("'{t}' in '{text}' is not a seed"))
        };
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (number(from)?, number(to)?);
                if to < from {
                    return Err(format!("'{part}' counts down"));
                }
                seeds.extend(from..=to);
            }
            None => seeds.push(number(part)?),
        }
    }
    if seeds.is_empty() {
        return Err(format!("'{text}' names no seed"));
    }
    Ok(seeds)
}

/// One line of a job list: a shell command that runs `run` and writes its report to
/// `{runs_dir}/{id}.json` (or `.failed.json`).
pub fn job_line(reproduce: &str, run: &StudyRun, runs_dir: &str) -> String {
    let mut words = vec![shell_word(reproduce)];
    words.extend(run.args.iter().map(|a| shell_word(a)));
    words.push("--report".into());
    words.push(shell_word(&format!("{runs_dir}/{}.json", run.id)));
    words.join(" ")
}

/// `text` as one word for a POSIX shell: as it is when it is plainly safe, else single-quoted.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && (text.chars()).all(|c| c.is_ascii_alphanumeric() || "-_./,=:+@%".contains(c));
    match plain {
        true => text.to_string(),
        false => format!("'{}'", text.replace('\'', r"'\''")),
    }
}

/// Where a run whose report would be `report` (`….json`) records its failure: `….failed.json`.
pub fn failure_file(report: &str) -> String {
    format!(
        "{}.failed.json",
        report.strip_suffix(".json").unwrap_or(report)
    )
}
