//! Adam with PyTorch's semantics (torch.optim.Adam, no weight decay, not amsgrad).

use serde::{Deserialize, Serialize};

/// Adam hyper-parameters; the defaults are PyTorch's and the paper's.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamConfig {
    pub lr: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }
}

/// Optimiser state: first and second moments per parameter tensor, and the step count t.
#[derive(Clone, Debug)]
pub struct Adam {
    pub config: AdamConfig,
    step: i32,
    first_moment: Vec<Vec<f32>>,
    second_moment: Vec<Vec<f32>>,
}

impl Adam {
    /// State for parameter tensors of the given lengths (zero moments, t = 0).
    pub fn new(config: AdamConfig, tensor_lens: &[usize]) -> Self {
        let zeros = || tensor_lens.iter().map(|&len| vec![0.0; len]).collect();
        Adam {
            config,
            step: 0,
            first_moment: zeros(),
            second_moment: zeros(),
        }
    }

    /// Number of updates applied so far.
    pub fn steps_taken(&self) -> i32 {
        self.step
    }

    /// One update of every tensor. In PyTorch's operation order:
    /// m = lerp(m, g, 1-β1); v = β2 v + (1-β2) g²;
    /// p -= (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + eps).
    pub fn update(&mut self, params: Vec<&mut [f32]>, grads: Vec<&[f32]>) {
        assert_eq!(params.len(), self.first_moment.len(), "tensor count");
        assert_eq!(grads.len(), self.first_moment.len(), "tensor count");
        self.step += 1;
        let AdamConfig {
            lr,
            beta1,
            beta2,
            eps,
        } = self.config;
        let bias_correction1 = 1.0 - beta1.powi(self.step);
        let bias_correction2_sqrt = (1.0 - beta2.powi(self.step)).sqrt();
        let step_size = lr / bias_correction1;
        let tensors = params.into_iter().zip(grads).zip(
            self.first_moment
                .iter_mut()
                .zip(self.second_moment.iter_mut()),
        );
        for ((param, grad), (m, v)) in tensors {
            assert_eq!(param.len(), grad.len(), "gradient shape");
            for (((p, &g), m), v) in param
                .iter_mut()
                .zip(grad)
                .zip(m.iter_mut())
                .zip(v.iter_mut())
            {
                *m += (1.0 - beta1) * (g - *m);
                *v = *v * beta2 + (1.0 - beta2) * g * g;
                let denom = v.sqrt() / bias_correction2_sqrt + eps;
                *p -= step_size * (*m / denom);
            }
        }
    }
}
