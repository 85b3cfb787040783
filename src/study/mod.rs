//! Studies: the knee across a grid of seeds, data sets, models, widths and Fisher variants.
//! `grid` expands the grid into `reproduce` runs; `summary` merges their reports. The `study`
//! command (src/bin/study.rs) runs them on every core, resumes, and draws the summary with the
//! `plot::study_*` charts, which the page draws too from an imported summary.

pub mod grid;
pub mod summary;
