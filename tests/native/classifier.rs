//! The MLP classifier (src/classifier.rs, src/classifier_fisher.rs) against independent
//! computations written here with plain loops over `Vec<f64>` (never the crate's forward or
//! softmax):
//! - the loss, against a loop forward pass and log-softmax cross-entropy, mean over the batch;
//! - every gradient, against central differences of that loop loss; the parts of a batch
//!   (`gradient_part_with`), against the whole batch's gradient;
//! - the classif_logits Fisher, against brute force: each logit's Jacobian by central differences
//!   of the loop forward, then (1/N) Σ_x Σ_c p_c (g_c − ḡ)²; and against SPEC.md's closed forms
//!   for the first and the last layer;
//! - the empirical Fisher, against (1/N) Σ_x (d log p_y / dθ)² by central differences;
//! - `init`, against PyTorch's nn.Linear shapes and bounds, and its seeding.

use crate::common::{assert_close, random_inputs, random_pixels, sparse_inputs};

use bayes_renorm::classifier::{Classifier, Linear};
use bayes_renorm::classifier_fisher::{
    classifier_fisher, ClassifierFisher, ClassifierFisherAccumulator,
};
use bayes_renorm::data::Dataset;
use bayes_renorm::fisher::FisherVariant;
use bayes_renorm::rng::Rng;
use bayes_renorm::sparse::SparseRows;
use ndarray::{s, Array2};

/// One layer of the loop model: `weight[r * inputs + s]` is W[r, s].
#[derive(Clone, Debug)]
struct LoopLayer {
    inputs: usize,
    outputs: usize,
    weight: Vec<f64>,
    bias: Vec<f64>,
}

/// The classifier as plain vectors, first layer (on the pixels) to last (the logits).
#[derive(Clone, Debug)]
struct LoopNet {
    layers: Vec<LoopLayer>,
}

/// One parameter: entry `index` (row-major for a weight) of layer `layer`'s weight or bias.
#[derive(Clone, Copy, Debug)]
struct Param {
    layer: usize,
    bias: bool,
    index: usize,
}

impl LoopNet {
    fn of<T: Copy + Into<f64>>(model: &Classifier<T>) -> Self {
        let layers = (model.layers.iter())
            .map(|layer| {
                let (outputs, inputs) = layer.weight.dim();
                let mut weight = Vec::with_capacity(outputs * inputs);
                for r in 0..outputs {
                    for s in 0..inputs {
                        weight.push(layer.weight[[r, s]].into());
                    }
                }
                let bias = layer.bias.iter().map(|&b| b.into()).collect();
                LoopLayer {
                    inputs,
                    outputs,
                    weight,
                    bias,
                }
            })
            .collect();
        LoopNet { layers }
    }

    /// The pre-activations a_1 … a_L of the hidden layers, then the logits z, of one example.
    fn pre_activations(&self, x: &[f64]) -> Vec<Vec<f64>> {
        let mut input = x.to_vec();
        let mut all = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            assert_eq!(input.len(), layer.inputs, "layer input width");
            let mut a = vec![0.0; layer.outputs];
            for (r, a_r) in a.iter_mut().enumerate() {
                let mut sum = layer.bias[r];
                for (s, &u) in input.iter().enumerate() {
                    sum += layer.weight[r * layer.inputs + s] * u;
                }
                *a_r = sum;
            }
            input = a.iter().map(|&v| if v > 0.0 { v } else { 0.0 }).collect();
            all.push(a);
        }
        all
    }

    fn logits(&self, x: &[f64]) -> Vec<f64> {
        self.pre_activations(x).pop().expect("the logits")
    }

    /// Every parameter, in the order W_0, b_0, W_1, b_1, ….
    fn params(&self) -> Vec<Param> {
        let mut all = Vec::new();
        for (layer, l) in self.layers.iter().enumerate() {
            for (bias, len) in [(false, l.weight.len()), (true, l.bias.len())] {
                all.extend((0..len).map(|index| Param { layer, bias, index }));
            }
        }
        all
    }

    fn param_mut(&mut self, p: Param) -> &mut f64 {
        let layer = &mut self.layers[p.layer];
        match p.bias {
            true => &mut layer.bias[p.index],
            false => &mut layer.weight[p.index],
        }
    }

    /// (f(θ + step), f(θ − step)) for parameter `p`.
    fn perturbed<R>(&self, p: Param, step: f64, f: impl Fn(&LoopNet) -> R) -> (R, R) {
        let mut plus = self.clone();
        *plus.param_mut(p) += step;
        let mut minus = self.clone();
        *minus.param_mut(p) -= step;
        (f(&plus), f(&minus))
    }
}

/// The crate's value (gradient, Fisher) for parameter `p`, read from tensors shaped as the model.
fn value_of<T: Copy + Into<f64>>(layers: &[Linear<T>], p: Param) -> f64 {
    let layer = &layers[p.layer];
    match p.bias {
        true => layer.bias[p.index].into(),
        false => {
            let inputs = layer.weight.ncols();
            layer.weight[[p.index / inputs, p.index % inputs]].into()
        }
    }
}

fn log_softmax(z: &[f64]) -> Vec<f64> {
    let max = z.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let log_sum = max + z.iter().map(|&v| (v - max).exp()).sum::<f64>().ln();
    z.iter().map(|&v| v - log_sum).collect()
}

fn probabilities(z: &[f64]) -> Vec<f64> {
    log_softmax(z).iter().map(|v| v.exp()).collect()
}

/// −log p_y of one example.
fn example_loss(net: &LoopNet, x: &[f64], label: u8) -> f64 {
    -log_softmax(&net.logits(x))[label as usize]
}

/// Mean cross-entropy over the batch (PyTorch `F.cross_entropy`).
fn loop_loss(net: &LoopNet, xs: &[Vec<f64>], labels: &[u8]) -> f64 {
    let sum: f64 = (xs.iter().zip(labels))
        .map(|(x, &y)| example_loss(net, x, y))
        .sum();
    sum / xs.len() as f64
}

/// How many examples have their label as the first largest logit.
fn loop_correct(net: &LoopNet, xs: &[Vec<f64>], labels: &[u8]) -> usize {
    let mut correct = 0;
    for (x, &y) in xs.iter().zip(labels) {
        let z = net.logits(x);
        let mut best = 0;
        for (c, &v) in z.iter().enumerate() {
            if v > z[best] {
                best = c;
            }
        }
        correct += usize::from(best == y as usize);
    }
    correct
}

fn rows_of<T: Copy + Into<f64>>(x: &Array2<T>) -> Vec<Vec<f64>> {
    (x.rows().into_iter())
        .map(|row| row.iter().map(|&v| v.into()).collect())
        .collect()
}

/// x = pixel / 255, one example per row, with loops.
fn rows_of_dataset(data: &Dataset) -> Vec<Vec<f64>> {
    (0..data.len())
        .map(|k| data.image(k).iter().map(|&p| p as f64 / 255.0).collect())
        .collect()
}

fn random_labels(seed: u64, count: usize, classes: usize) -> Vec<u8> {
    let mut rng = Rng::new(seed, 96, 0);
    (0..count).map(|_| rng.below(classes) as u8).collect()
}

/// Whether finite differences are valid and the ReLU's zero branch runs: every hidden
/// pre-activation at least 1e-3 from the kink, some negative in every hidden layer, and hidden
/// unit 0 of the first layer negative (dead) on every example.
fn usable(net: &LoopNet, xs: &[Vec<f64>]) -> bool {
    let hidden = net.layers.len() - 1;
    let passes: Vec<Vec<Vec<f64>>> = xs.iter().map(|x| net.pre_activations(x)).collect();
    let away = (passes.iter())
        .flat_map(|pass| pass[..hidden].iter().flatten())
        .all(|a| a.abs() >= 1e-3);
    let some_negative =
        (0..hidden).all(|k| passes.iter().any(|pass| pass[k].iter().any(|&a| a < 0.0)));
    let dead = passes.iter().all(|pass| pass[0][0] < 0.0);
    away && some_negative && dead
}

/// A model with hidden unit 0 of its first layer dead: |W_0 x| ≤ 12 / sqrt(12) < 4 for x in
/// [0, 1]^12, so a_1,0 < 0 for every input.
fn model_with_a_dead_unit(
    input: usize,
    hidden: &[usize],
    classes: usize,
    seed: u64,
) -> Classifier<f64> {
    assert_eq!(input, 12, "the dead unit's bias is chosen for 12 inputs");
    let mut model = Classifier::<f64>::init(input, hidden, classes, seed);
    model.layers[0].bias[0] = -4.0;
    model
}

type Case = (Classifier<f64>, Array2<f64>, Vec<u8>);

/// `wanted` seeded (model, x, labels) cases that are `usable`, x from `inputs(seed, batch, n)`.
fn cases(
    inputs: fn(u64, usize, usize) -> Array2<f64>,
    hidden: &[usize],
    classes: usize,
    batch: usize,
    wanted: usize,
) -> Vec<Case> {
    let found: Vec<Case> = (0..1000)
        .map(|seed| {
            (
                model_with_a_dead_unit(12, hidden, classes, seed),
                inputs(seed, batch, 12),
                random_labels(seed, batch, classes),
            )
        })
        .filter(|(model, x, _)| usable(&LoopNet::of(model), &rows_of(x)))
        .take(wanted)
        .collect();
    assert_eq!(found.len(), wanted, "not enough usable seeds");
    found
}

/// `count` examples of 3 x 4 pixels, each zero with probability `zeros`, pixel 5 zero in all of
/// them; labels below `classes`.
fn pixel_dataset(seed: u64, count: usize, zeros: f64, classes: usize) -> Dataset {
    let mut pixels = random_pixels(seed, count * 12, zeros);
    for k in 0..count {
        pixels[k * 12 + 5] = 0;
    }
    Dataset::new(3, 4, random_labels(seed, count, classes), pixels)
}

/// `wanted` usable (model, dataset) cases.
fn dataset_cases(
    hidden: &[usize],
    classes: usize,
    count: usize,
    zeros: f64,
    wanted: usize,
) -> Vec<(Classifier<f64>, Dataset)> {
    let found: Vec<_> = (0..1000)
        .map(|seed| {
            (
                model_with_a_dead_unit(12, hidden, classes, seed),
                pixel_dataset(seed, count, zeros, classes),
            )
        })
        .filter(|(model, data)| usable(&LoopNet::of(model), &rows_of_dataset(data)))
        .take(wanted)
        .collect();
    assert_eq!(found.len(), wanted, "not enough usable seeds");
    found
}

// ---------------------------------------------------------------------------------------------
// 1. The loss.

fn check_loss<T>(model: &Classifier<T>, x: &Array2<T>, labels: &[u8], rel: f64)
where
    T: bayes_renorm::scalar::Scalar + Into<f64>,
{
    let net = LoopNet::of(model);
    let expected = loop_loss(&net, &rows_of(x), labels);
    assert_close(model.loss(x.view(), labels), expected, rel, 0.0, "loss");
    let (loss, _) = model.loss_and_gradients(x.view(), labels);
    assert_close(loss, expected, rel, 0.0, "loss_and_gradients' loss");
    // Not vacuous: the loss of a random model on 10 classes is near ln 10, far from 0.
    assert!(expected > 0.5, "loss {expected}");
}

#[test]
fn loss_matches_loop_cross_entropy_in_f64() {
    for hidden in [&[5][..], &[6, 4]] {
        for (seed, classes) in [(1, 10), (2, 7)] {
            let model = Classifier::<f64>::init(12, hidden, classes, seed);
            let labels = random_labels(seed, 9, classes);
            for x in [sparse_inputs(seed, 9, 12), random_inputs(seed, 9, 12)] {
                check_loss(&model, &x, &labels, 1e-12);
            }
        }
    }
}

#[test]
fn loss_matches_loop_cross_entropy_in_f32() {
    for hidden in [&[5][..], &[6, 4]] {
        let model = Classifier::<f32>::init(12, hidden, 10, 3);
        let labels = random_labels(3, 9, 10);
        for x in [sparse_inputs(3, 9, 12), random_inputs(3, 9, 12)] {
            let x = x.mapv(|v| v as f32);
            check_loss(&model, &x, &labels, 1e-5);
        }
    }
}

#[test]
fn large_logits_do_not_overflow_the_loss() {
    // Logits near 1000 overflow exp() unless the maximum is taken out first.
    let mut model = Classifier::<f64>::init(12, &[5], 10, 4);
    model.layers[1].bias.mapv_inplace(|b| b + 1000.0);
    model.layers[1].bias[3] += 30.0;
    let x = sparse_inputs(4, 6, 12);
    let labels = random_labels(4, 6, 10);
    let loss = model.loss(x.view(), &labels);
    let expected = loop_loss(&LoopNet::of(&model), &rows_of(&x), &labels);
    assert!(loss.is_finite());
    assert_close(loss, expected, 1e-9, 0.0, "loss at large logits");
}

// ---------------------------------------------------------------------------------------------
// 2. The gradients.

fn check_gradients(hidden: &[usize], classes: usize) {
    let mut sparse_seen = false;
    for inputs in [sparse_inputs, random_inputs] {
        for (model, x, labels) in cases(inputs, hidden, classes, 8, 3) {
            sparse_seen |= SparseRows::of(x.view()).is_some();
            let net = LoopNet::of(&model);
            let xs = rows_of(&x);
            let (_, grads) = model.loss_and_gradients(x.view(), &labels);
            assert_eq!(grads.layers.len(), model.layers.len());
            let mut largest: f64 = 0.0;
            for p in net.params() {
                let step = 1e-6;
                let (plus, minus) = net.perturbed(p, step, |m| loop_loss(m, &xs, &labels));
                let numeric = (plus - minus) / (2.0 * step);
                let exact = value_of(&grads.layers, p);
                assert_close(exact, numeric, 1e-6, 1e-9, &format!("gradient {p:?}"));
                largest = largest.max(numeric.abs());
            }
            // Not vacuous; and the dead unit's weights get exactly no gradient.
            assert!(largest > 1e-2, "largest gradient {largest}");
            assert!(grads.layers[0].weight.row(0).iter().all(|&g| g == 0.0));
            assert_eq!(grads.layers[0].bias[0], 0.0);
        }
    }
    assert!(sparse_seen, "the sparse products are exercised");
}

#[test]
fn gradients_match_finite_differences_one_hidden_layer() {
    check_gradients(&[5], 10);
}

#[test]
fn gradients_match_finite_differences_two_hidden_layers() {
    check_gradients(&[6, 4], 10);
    check_gradients(&[6, 4], 7);
}

#[test]
fn gradient_parts_of_a_batch_sum_to_its_gradient() {
    for hidden in [&[5][..], &[6, 4]] {
        for inputs in [sparse_inputs, random_inputs] {
            for (model, x, labels) in cases(inputs, hidden, 10, 9, 2) {
                let n = x.nrows();
                let (loss, whole) = model.loss_and_gradients(x.view(), &labels);
                let net = LoopNet::of(&model);
                let xs = rows_of(&x);
                for k in [1, 4, 8] {
                    let ranges = [0..k, k..n];
                    for use_sparse in [true, false] {
                        let mut sum: Option<Classifier<f64>> = None;
                        let (mut cross_entropy, mut correct) = (0.0, 0);
                        for range in ranges.clone() {
                            let part = x.slice(s![range.clone(), ..]);
                            let sparse = SparseRows::of(part).filter(|_| use_sparse);
                            let (score, grads) =
                                model.gradient_part_with(part, &labels[range], sparse.as_ref(), n);
                            cross_entropy += score.cross_entropy_sum;
                            correct += score.correct;
                            match &mut sum {
                                Some(sum) => sum.add(&grads),
                                None => sum = Some(grads),
                            }
                        }
                        let sum = sum.expect("two parts");
                        for p in net.params() {
                            let what = format!("split at {k}, sparse {use_sparse}, {p:?}");
                            let (a, b) = (value_of(&sum.layers, p), value_of(&whole.layers, p));
                            assert_close(a, b, 1e-12, 1e-15, &what);
                        }
                        let expected = loop_loss(&net, &xs, &labels);
                        assert_close(cross_entropy / n as f64, expected, 1e-12, 0.0, "scores");
                        assert_close(loss, expected, 1e-12, 0.0, "whole loss");
                        assert_eq!(correct, loop_correct(&net, &xs, &labels), "right answers");
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3 and 4. The Fisher.

/// (1/N) Σ_x Σ_c p_c (g_c − ḡ)² (classif_logits) or (1/N) Σ_x (d log p_y / dθ)² (empirical),
/// every derivative by central differences of the loop model, per parameter in `params()` order.
fn brute_force_fisher(
    net: &LoopNet,
    xs: &[Vec<f64>],
    labels: &[u8],
    variant: FisherVariant,
) -> Vec<f64> {
    let params = net.params();
    let mut sums = vec![0.0; params.len()];
    for (x, &y) in xs.iter().zip(labels) {
        let p = probabilities(&net.logits(x));
        for (sum, &param) in sums.iter_mut().zip(&params) {
            *sum += match variant {
                FisherVariant::ClassifLogits => {
                    // The logits are piecewise linear in any one parameter: away from the kinks
                    // the central difference is exact up to rounding.
                    let step = 1e-5;
                    let (plus, minus) = net.perturbed(param, step, |m| m.logits(x));
                    let g: Vec<f64> = (plus.iter().zip(&minus))
                        .map(|(a, b)| (a - b) / (2.0 * step))
                        .collect();
                    let mean: f64 = p.iter().zip(&g).map(|(p, g)| p * g).sum();
                    p.iter()
                        .zip(&g)
                        .map(|(p, g)| p * (g - mean).powi(2))
                        .sum::<f64>()
                }
                FisherVariant::Empirical => {
                    let step = 1e-6;
                    let (plus, minus) = net.perturbed(param, step, |m| example_loss(m, x, y));
                    ((plus - minus) / (2.0 * step)).powi(2)
                }
                FisherVariant::Regression => unreachable!("not a classifier Fisher"),
            };
        }
    }
    sums.iter().map(|s| s / xs.len() as f64).collect()
}

fn assert_fisher_matches(
    fisher: &ClassifierFisher<f64>,
    net: &LoopNet,
    expected: &[f64],
    what: &str,
) {
    let params = net.params();
    assert_eq!(fisher.layers.len(), net.layers.len());
    assert_eq!(
        fisher.all_values().count(),
        params.len(),
        "{what}: value count"
    );
    for (p, &e) in params.iter().zip(expected) {
        let ours = value_of(&fisher.layers, *p);
        assert!(ours >= 0.0, "{what}: negative Fisher at {p:?}");
        assert_close(ours, e, 1e-6, 1e-10, &format!("{what}: {p:?}"));
    }
    // Not vacuous: some values are clearly non-zero.
    assert!(
        expected.iter().any(|&v| v > 1e-3),
        "{what}: all values tiny"
    );
}

/// The zeros the Fisher must have exactly: a pixel that is 0 in every example (pixel 5 at least)
/// has F(W_0[., i]) = 0; unit 0 of the first layer is dead, so its weights and bias have F = 0.
fn assert_exact_zeros(fisher: &ClassifierFisher<f64>, data: &Dataset, what: &str) {
    let first = &fisher.layers[0];
    let blank: Vec<usize> = (0..12)
        .filter(|&i| (0..data.len()).all(|k| data.image(k)[i] == 0))
        .collect();
    assert!(blank.contains(&5), "{what}: pixel 5 is blank");
    for i in blank {
        assert!(
            first.weight.column(i).iter().all(|&f| f == 0.0),
            "{what}: pixel {i}"
        );
    }
    assert!(
        first.weight.row(0).iter().all(|&f| f == 0.0),
        "{what}: dead unit"
    );
    assert_eq!(first.bias[0], 0.0, "{what}: dead unit's bias");
}

fn check_fisher_on_datasets(variant: FisherVariant, hidden: &[usize], classes: usize) {
    let count = 10;
    for zeros in [0.8, 0.2] {
        for (model, data) in dataset_cases(hidden, classes, count, zeros, 2) {
            let net = LoopNet::of(&model);
            let xs = rows_of_dataset(&data);
            let expected = brute_force_fisher(&net, &xs, &data.labels, variant);
            // Batches of 3 (3, 3, 3, 1), of 4 and all at once, through the dataset's pixels.
            for batch_size in [3, 4, count] {
                let sparse_batches = (0..count)
                    .step_by(batch_size)
                    .filter(|&start| {
                        let end = (start + batch_size).min(count);
                        data.sparse_batch::<f64>(start..end).is_some()
                    })
                    .count();
                if zeros > 0.5 {
                    assert!(sparse_batches > 0, "some batch takes the sparse path");
                } else {
                    assert_eq!(sparse_batches, 0, "every batch takes the dense path");
                }
                let fisher = classifier_fisher(&model, &data, variant, batch_size);
                assert_eq!(fisher.examples, count);
                assert_eq!(fisher.variant, variant);
                let what = format!("{variant:?}, zeros {zeros}, batches of {batch_size}");
                assert_fisher_matches(&fisher, &net, &expected, &what);
                assert_exact_zeros(&fisher, &data, &what);
            }
            // The same examples as f64 batches, in two unequal parts.
            let x = Array2::from_shape_fn((count, 12), |(k, i)| xs[k][i]);
            let mut accumulator = ClassifierFisherAccumulator::new(&model, variant);
            accumulator.add_batch(x.slice(s![..3, ..]), &data.labels[..3]);
            accumulator.add_batch(x.slice(s![3.., ..]), &data.labels[3..]);
            assert_eq!(accumulator.examples(), count);
            let fisher = accumulator.finish();
            let what = format!("{variant:?}, zeros {zeros}, add_batch");
            assert_fisher_matches(&fisher, &net, &expected, &what);
            assert_exact_zeros(&fisher, &data, &what);
        }
    }
}

#[test]
fn classif_logits_fisher_equals_brute_force_one_hidden_layer() {
    check_fisher_on_datasets(FisherVariant::ClassifLogits, &[5], 10);
}

#[test]
fn classif_logits_fisher_equals_brute_force_two_hidden_layers() {
    check_fisher_on_datasets(FisherVariant::ClassifLogits, &[6, 4], 10);
    check_fisher_on_datasets(FisherVariant::ClassifLogits, &[6, 4], 7);
}

#[test]
fn empirical_fisher_equals_brute_force() {
    check_fisher_on_datasets(FisherVariant::Empirical, &[5], 10);
    check_fisher_on_datasets(FisherVariant::Empirical, &[6, 4], 10);
}

/// SPEC.md's closed forms for the two ends, with loops:
/// F(W_L[c,j]) = mean p_c (1 − p_c) h_L,j², F(b_L[c]) = mean p_c (1 − p_c);
/// F(W_0[j,i]) = mean x_i² (Σ_c p_c δ_cj² − (Σ_c p_c δ_cj)²), δ_cj = d z_c / d a_1,j, and F(b_0[j])
/// the same without x_i².
fn closed_form_ends(net: &LoopNet, xs: &[Vec<f64>]) -> (Linear<f64>, Linear<f64>) {
    let last = net.layers.len() - 1;
    let (first_layer, last_layer) = (&net.layers[0], &net.layers[last]);
    let mut first = Linear {
        weight: Array2::zeros((first_layer.outputs, first_layer.inputs)),
        bias: ndarray::Array1::zeros(first_layer.outputs),
    };
    let mut output = Linear {
        weight: Array2::zeros((last_layer.outputs, last_layer.inputs)),
        bias: ndarray::Array1::zeros(last_layer.outputs),
    };
    let n = xs.len() as f64;
    for x in xs {
        let pre = net.pre_activations(x);
        let p = probabilities(&pre[last]);
        let step = |a: f64| if a > 0.0 { 1.0 } else { 0.0 };
        // The output layer's input h_L.
        let h: Vec<f64> = pre[last - 1].iter().map(|&a| a.max(0.0)).collect();
        for (c, &p_c) in p.iter().enumerate() {
            let v = p_c * (1.0 - p_c);
            output.bias[c] += v / n;
            for (j, &h_j) in h.iter().enumerate() {
                output.weight[[c, j]] += v * h_j * h_j / n;
            }
        }
        // δ_c at a_1: d z_c / d a_L,j = W_L[c,j] relu'(a_L,j), then down one layer at a time,
        // d z_c / d a_k,j = Σ_m (d z_c / d a_k+1,m) W_k[m,j] relu'(a_k,j).
        let deltas: Vec<Vec<f64>> = (0..last_layer.outputs)
            .map(|c| {
                let mut delta: Vec<f64> = (0..last_layer.inputs)
                    .map(|j| last_layer.weight[c * last_layer.inputs + j] * step(pre[last - 1][j]))
                    .collect();
                for k in (1..last).rev() {
                    let layer = &net.layers[k];
                    delta = (0..layer.inputs)
                        .map(|j| {
                            let sum: f64 = (0..layer.outputs)
                                .map(|m| delta[m] * layer.weight[m * layer.inputs + j])
                                .sum();
                            sum * step(pre[k - 1][j])
                        })
                        .collect();
                }
                delta
            })
            .collect();
        for j in 0..first_layer.outputs {
            let mean: f64 = p.iter().zip(&deltas).map(|(p_c, d)| p_c * d[j]).sum();
            let square: f64 = (p.iter().zip(&deltas))
                .map(|(p_c, d)| p_c * d[j] * d[j])
                .sum();
            let v = square - mean * mean;
            first.bias[j] += v / n;
            for (i, &x_i) in x.iter().enumerate() {
                first.weight[[j, i]] += x_i * x_i * v / n;
            }
        }
    }
    (first, output)
}

#[test]
fn classif_logits_fisher_matches_the_closed_forms_of_the_ends() {
    for hidden in [&[5][..], &[6, 4]] {
        for (model, data) in dataset_cases(hidden, 10, 20, 0.75, 3) {
            let net = LoopNet::of(&model);
            let (first, output) = closed_form_ends(&net, &rows_of_dataset(&data));
            let fisher = classifier_fisher(&model, &data, FisherVariant::ClassifLogits, 6);
            let ours = [&fisher.layers[0], fisher.layers.last().expect("layers")];
            for (name, ours, expected) in [("first", ours[0], &first), ("last", ours[1], &output)] {
                let pairs = (ours.weight.iter().zip(&expected.weight))
                    .chain(ours.bias.iter().zip(&expected.bias));
                for (index, (&a, &b)) in pairs.enumerate() {
                    assert_close(a, b, 1e-9, 1e-14, &format!("{name} layer, value {index}"));
                }
                // Not vacuous (with few live units the values can be small).
                assert!(
                    expected.weight.iter().any(|&v| v > 1e-6),
                    "{name}: all zero"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Initialisation.

#[test]
fn init_follows_pytorch_linear_shapes_and_bounds() {
    let hidden = [6, 4];
    let widths = [12, 6, 4, 10];
    let model = Classifier::<f64>::init(12, &hidden, 10, 21);
    assert_eq!(model.layers.len(), 3);
    assert_eq!(model.input_dim(), 12);
    assert_eq!(model.classes(), 10);
    assert_eq!(model.hidden_widths(), hidden.to_vec());
    for (k, layer) in model.layers.iter().enumerate() {
        let (fan_in, fan_out) = (widths[k], widths[k + 1]);
        assert_eq!(
            layer.weight.dim(),
            (fan_out, fan_in),
            "layer {k} weight [out, in]"
        );
        assert_eq!(layer.bias.len(), fan_out, "layer {k} bias [out]");
        let bound = 1.0 / (fan_in as f64).sqrt();
        let values: Vec<f64> = layer.weight.iter().chain(&layer.bias).copied().collect();
        assert!(
            values.iter().all(|v| v.abs() <= bound),
            "layer {k} within ±{bound}"
        );
        // Spread over the range, both signs: not a constant or a narrower law.
        let largest = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        assert!(
            largest > 0.6 * bound,
            "layer {k}: largest {largest} of {bound}"
        );
        assert!(values.iter().any(|&v| v > 0.0) && values.iter().any(|&v| v < 0.0));
        let distinct = values.iter().filter(|&&v| v != values[0]).count();
        assert_eq!(distinct, values.len() - 1, "layer {k}: values repeat");
    }
    // parameters() is W_0, b_0, W_1, b_1, … with weights row-major.
    let parameters = model.parameters();
    assert_eq!(parameters.len(), 6);
    for (k, layer) in model.layers.iter().enumerate() {
        let weight: Vec<f64> = layer.weight.iter().copied().collect();
        assert_eq!(parameters[2 * k], &weight[..]);
        assert_eq!(parameters[2 * k + 1], &layer.bias.to_vec()[..]);
    }
    assert_eq!(model.parameter_count(), 72 + 6 + 24 + 4 + 40 + 10);
}

#[test]
fn init_is_seeded() {
    for hidden in [&[5][..], &[6, 4]] {
        let a = Classifier::<f64>::init(12, hidden, 10, 7);
        assert_eq!(a, Classifier::<f64>::init(12, hidden, 10, 7), "same seed");
        let b = Classifier::<f64>::init(12, hidden, 10, 8);
        for (k, (la, lb)) in a.layers.iter().zip(&b.layers).enumerate() {
            let same = (la.weight.iter().zip(&lb.weight))
                .filter(|(x, y)| x == y)
                .count();
            assert_eq!(same, 0, "layer {k}: seeds 7 and 8 share weights");
            assert_ne!(la.bias, lb.bias, "layer {k}: seeds 7 and 8 share biases");
        }
        let f32_model = Classifier::<f32>::init(12, hidden, 10, 7);
        assert_eq!(
            f32_model,
            Classifier::<f32>::init(12, hidden, 10, 7),
            "same seed, f32"
        );
    }
}
