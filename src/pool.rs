//! A pool of helper threads, the core's side: the tasks a workbench shares out, the helper that
//! computes them, and their results. Tasks and results cross threads as bytes (`crate::wire`),
//! so the page's JavaScript only moves them. A helper computes exactly what the lead would, and
//! the lead adds the results in a fixed order: a pool size always gives the same bits, and the
//! Fisher and the sweep are the same for any size.
//!
//! A message is framed as [header length: u64][header][payload]: the payload is a bulk of pixels,
//! borrowed by the lead (`Share`) and taken over whole by the helper (`unframe`), so 47 MB of
//! training images are never copied twice.

use std::ops::Range;

use ndarray::Array2;

use crate::data::Dataset;
use crate::fisher::{FisherAccumulator, FisherTerms, FisherVariant, FISHER_BATCH};
use crate::model::Autoencoder;
use crate::network::{autoencoder_part, GradientPart, Network, Score};
use crate::sweep::{Baselines, Sweep};
use crate::weights::{read_wire, read_wire_into, write_wire};
use crate::wire::{Reader, WireError, Writer};

const GRADIENT: u8 = 1;
const FISHER: u8 = 2;
const SWEEP: u8 = 3;

/// One task for one helper, as the lead hands it out: a header, and pixels it borrows.
pub struct Share<'a> {
    pub header: Vec<u8>,
    pub payload: &'a [u8],
}

impl Share<'_> {
    /// Bytes in the framed message.
    pub fn len(&self) -> usize {
        8 + self.header.len() + self.payload.len()
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// The frame's first bytes: the header's length, then the header (the payload follows).
    pub fn head(&self) -> Vec<u8> {
        let mut head = (self.header.len() as u64).to_le_bytes().to_vec();
        head.extend_from_slice(&self.header);
        head
    }

    /// The whole framed message.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut bytes = self.head();
        bytes.extend_from_slice(self.payload);
        bytes
    }
}

/// A framed message's header, and its payload in the message's own allocation.
fn unframe(mut message: Vec<u8>) -> Result<(Vec<u8>, Vec<u8>), WireError> {
    let error = |problem: String| WireError {
        what: "a pool task",
        problem,
    };
    let length: [u8; 8] = (message.get(..8))
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| error(format!("{} bytes is too short for a frame", message.len())))?;
    let end = usize::try_from(u64::from_le_bytes(length))
        .ok()
        .and_then(|length| length.checked_add(8))
        .filter(|&end| end <= message.len())
        .ok_or_else(|| error("its header runs past the end".into()))?;
    let header = message[8..end].to_vec();
    message.drain(..end);
    Ok((header, message))
}

/// Images of `n` pixels each, as a helper receives them: one row of n pixels per image (their
/// own shape does not matter to a helper).
fn images(n: usize, pixels: Vec<u8>, what: &'static str) -> Result<Dataset, WireError> {
    if n == 0 || pixels.len() % n != 0 {
        return Err(WireError {
            what,
            problem: format!("{} bytes are not whole images of {n} pixels", pixels.len()),
        });
    }
    Ok(Dataset::new(1, n, vec![0; pixels.len() / n], pixels))
}

/// Part of a training batch: the examples `rows` of the run's training images, as a part of a
/// batch of `batch_rows` (`Trainer::next_batch_parts`). The images travel with the run's first
/// batch (`images`) and the helper keeps them under the run's number.
pub fn gradient_task<'a>(
    run: u64,
    model: &Autoencoder<f32>,
    rows: &[usize],
    batch_rows: usize,
    images: Option<&'a Dataset>,
) -> Share<'a> {
    let mut header = Writer::new();
    header.u8(GRADIENT).u64(run);
    write_wire(model, &mut header);
    header.usizes(rows).usize(batch_rows).bool(images.is_some());
    Share {
        header: header.finish(),
        payload: images.map_or(&[], |data| &data.pixels),
    }
}

/// The Fisher's terms over `images` (whole images of the model's input size), one
/// `FISHER_BATCH` after another.
pub fn fisher_task<'a>(
    model: &Autoencoder<f32>,
    variant: FisherVariant,
    images: &'a [u8],
) -> Share<'a> {
    let mut header = Writer::new();
    header.u8(FISHER).json(&variant);
    write_wire(model, &mut header);
    Share {
        header: header.finish(),
        payload: images,
    }
}

/// The sweep's removal orders `orders`, on a sweep identical to the lead's: the same model,
/// Fisher values, cutoffs, baselines and test images.
pub fn sweep_task<'a>(
    model: &Autoencoder<f32>,
    fisher_encoder: &Array2<f32>,
    cutoffs: &[f32],
    baselines: &Baselines,
    orders: Range<usize>,
    test_images: &'a [u8],
) -> Share<'a> {
    let mut header = Writer::new();
    header.u8(SWEEP);
    write_wire(model, &mut header);
    let fisher: Vec<f32> = fisher_encoder.iter().copied().collect();
    let cutoffs: Vec<f32> = cutoffs.to_vec();
    header
        .f32s(&fisher)
        .f32s(&cutoffs)
        .json(baselines)
        .usize(orders.start)
        .usize(orders.end);
    Share {
        header: header.finish(),
        payload: test_images,
    }
}

/// A helper's answer, decoded by the lead.
#[derive(Clone, Debug)]
pub enum TaskResult {
    Gradient(Box<GradientPart>),
    /// One batch's terms after another.
    Fisher(Vec<FisherTerms<f32>>),
    /// Order after order, each at every cutoff.
    Sweep(Vec<Score>),
}

impl TaskResult {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Writer::new();
        match self {
            TaskResult::Gradient(part) => {
                out.u8(GRADIENT)
                    .f64(part.loss_sum)
                    .usize(part.correct)
                    .f32s(&part.gradients);
            }
            TaskResult::Fisher(batches) => {
                out.u8(FISHER).usize(batches.len());
                for terms in batches {
                    out.usize(terms.examples).f32s(&terms.to_flat());
                }
            }
            TaskResult::Sweep(scores) => {
                // Pairs of loss and accuracy, NaN for none.
                let pairs: Vec<f64> = (scores.iter())
                    .flat_map(|s| [s.loss, s.accuracy.unwrap_or(f64::NAN)])
                    .collect();
                out.u8(SWEEP).f64s(&pairs);
            }
        }
        out.finish()
    }

    /// A result for a task about `model` (its shape sizes the arrays).
    pub fn decode(bytes: &[u8], model: &Network) -> Result<TaskResult, WireError> {
        let mut input = Reader::new(bytes, "a helper's result");
        let wrong_length = |what: &'static str| WireError {
            what,
            problem: "the wrong number of values for the model".into(),
        };
        let result = match input.u8()? {
            GRADIENT => {
                let (loss_sum, correct) = (input.f64()?, input.usize()?);
                let gradients = input.f32s()?;
                if gradients.len() != model.parameter_count() {
                    return Err(wrong_length("a helper's gradients"));
                }
                TaskResult::Gradient(Box::new(GradientPart {
                    loss_sum,
                    correct,
                    gradients,
                }))
            }
            FISHER => {
                let batches = input.usize()?;
                let mut terms = Vec::new();
                for _ in 0..batches {
                    let examples = input.usize()?;
                    let flat = input.f32s()?;
                    let autoencoder = model.autoencoder();
                    terms.push(
                        (autoencoder.and_then(|m| FisherTerms::from_flat(m, &flat, examples)))
                            .ok_or_else(|| wrong_length("a helper's Fisher terms"))?,
                    );
                }
                TaskResult::Fisher(terms)
            }
            SWEEP => {
                let pairs = input.f64s()?;
                if pairs.len() % 2 != 0 {
                    return Err(wrong_length("a helper's sweep scores"));
                }
                let score = |pair: &[f64]| Score {
                    loss: pair[0],
                    accuracy: (!pair[1].is_nan()).then_some(pair[1]),
                };
                TaskResult::Sweep(pairs.chunks_exact(2).map(score).collect())
            }
            other => {
                return Err(WireError {
                    what: "a helper's result",
                    problem: format!("unknown kind {other}"),
                })
            }
        };
        input.finish()?;
        Ok(result)
    }
}

/// A helper thread's state: the training images of the run it helps, kept from batch to batch.
#[derive(Default)]
pub struct Helper {
    run_images: Option<(u64, Dataset)>,
    /// The model of the last gradient task, which the next batch's weights overwrite.
    model: Option<Autoencoder<f32>>,
}

impl Helper {
    pub fn new() -> Self {
        Helper::default()
    }

    /// Computes one task (a framed message from `Share`) and encodes its result.
    pub fn run(&mut self, message: Vec<u8>) -> Result<Vec<u8>, WireError> {
        let (header, payload) = unframe(message)?;
        let mut input = Reader::new(&header, "a pool task");
        let result = match input.u8()? {
            GRADIENT => self.gradient(&mut input, payload)?,
            FISHER => {
                let variant: FisherVariant = input.json()?;
                let model = read_wire(&mut input)?;
                let data = images(model.input_dim(), payload, "the Fisher's images")?;
                let mut accumulator = FisherAccumulator::new(&model, variant);
                let terms = (data.ranges(FISHER_BATCH))
                    .map(|range| accumulator.examples_terms(&data, range))
                    .collect();
                TaskResult::Fisher(terms)
            }
            SWEEP => {
                let model = read_wire(&mut input)?;
                let (n, m) = (model.input_dim(), model.latent_dim());
                let fisher =
                    Array2::from_shape_vec((m, n), input.f32s()?).map_err(|_| WireError {
                        what: "a sweep task",
                        problem: "the Fisher values do not match the encoder's shape".into(),
                    })?;
                let cutoffs = input.f32s()?;
                let baselines: Baselines = input.json()?;
                let orders = input.usize()?..input.usize()?;
                let test = images(n, payload, "the sweep's test images")?;
                let cutoff_count = cutoffs.len();
                let model = Network::Autoencoder(model);
                let mut sweep = Sweep::new(&model, &fisher, cutoffs, &baselines, &test);
                if orders.start > orders.end || orders.end > sweep.order_count() {
                    return Err(WireError {
                        what: "a sweep task",
                        problem: format!("orders {orders:?} of a sweep of {}", sweep.order_count()),
                    });
                }
                let scores = orders
                    .flat_map(|order| sweep.score_order(order, 0..cutoff_count))
                    .collect();
                TaskResult::Sweep(scores)
            }
            other => {
                return Err(WireError {
                    what: "a pool task",
                    problem: format!("unknown kind {other}"),
                })
            }
        };
        input.finish()?;
        Ok(result.encode())
    }

    /// One part of a training batch, from the run's images (which arrive with its first batch).
    fn gradient(&mut self, input: &mut Reader, payload: Vec<u8>) -> Result<TaskResult, WireError> {
        let run = input.u64()?;
        let model = read_wire_into(input, &mut self.model)?;
        let rows = input.usizes()?;
        let batch_rows = input.usize()?;
        let error = |problem: String| WireError {
            what: "a gradient task",
            problem,
        };
        if input.bool()? {
            let data = images(model.input_dim(), payload, "the training images")?;
            self.run_images = Some((run, data));
        }
        let data = match &self.run_images {
            Some((kept, data)) if *kept == run => data,
            _ => {
                return Err(error(format!(
                    "this helper does not hold run {run}'s images"
                )))
            }
        };
        if let Some(&bad) = rows.iter().find(|&&row| row >= data.len()) {
            return Err(error(format!("example {bad} asked for, of {}", data.len())));
        }
        Ok(TaskResult::Gradient(Box::new(autoencoder_part(
            model, data, &rows, batch_rows,
        ))))
    }
}
