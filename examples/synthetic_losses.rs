//! Prints the per-epoch losses of the synthetic demo run as JSON; the browser test checks that
//! the wasm build reproduces them.

fn main() {
    let losses = bayes_renorm::train::synthetic_demo_losses(bayes_renorm::train::DEMO_SEED);
    println!(
        "{}",
        serde_json::to_string(&losses).expect("finite floats serialise")
    );
}
