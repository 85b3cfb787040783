//! Adam against the SPEC.md formula, computed here in f64 from scratch.

use bayes_renorm::adam::{Adam, AdamConfig};

#[test]
fn three_steps_match_the_bias_corrected_formula() {
    let config = AdamConfig {
        lr: 0.01,
        ..AdamConfig::default()
    };
    let gradients = [
        [0.5f32, -2.0, 1e-4, 0.0],
        [0.25, 1.0, -3e-4, 0.0],
        [-1.0, 0.5, 2e-4, 1e-6],
    ];
    let mut params = vec![1.0f32, -0.5, 0.25, 2.0];
    let mut adam = Adam::new(config, &[params.len()]);

    let (lr, b1, b2, eps) = (0.01f64, 0.9f64, 0.999f64, 1e-8f64);
    let mut expected: Vec<f64> = params.iter().map(|&p| p as f64).collect();
    let mut m = [0.0f64; 4];
    let mut v = [0.0f64; 4];

    for (t, grad) in gradients.iter().enumerate() {
        adam.update(vec![&mut params], vec![grad]);
        let t = (t + 1) as i32;
        for i in 0..4 {
            let g = grad[i] as f64;
            m[i] = b1 * m[i] + (1.0 - b1) * g;
            v[i] = b2 * v[i] + (1.0 - b2) * g * g;
            let m_hat = m[i] / (1.0 - b1.powi(t));
            let v_hat = v[i] / (1.0 - b2.powi(t));
            expected[i] -= lr * m_hat / (v_hat.sqrt() + eps);
        }
        for i in 0..4 {
            let error = (params[i] as f64 - expected[i]).abs();
            assert!(
                error < 1e-6,
                "step {t}, parameter {i}: {} vs {}",
                params[i],
                expected[i]
            );
        }
    }
    assert_eq!(adam.steps_taken(), 3);
    // The first step of Adam moves every parameter with a nonzero gradient by about lr.
    assert!((expected[0] - 1.0).abs() > 0.005);
}

#[test]
fn zero_gradient_leaves_a_parameter_unchanged() {
    let mut params = vec![0.75f32];
    let mut adam = Adam::new(AdamConfig::default(), &[1]);
    adam.update(vec![&mut params], vec![&[0.0]]);
    assert_eq!(params[0], 0.75);
}
