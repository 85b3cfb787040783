//! Training throughput for the paper's sizes (n = 784, m = 20, batch 1000), natively.
//! Run: cargo run --release --example bench_train

fn main() {
    let start = std::time::Instant::now();
    let now_ms = || start.elapsed().as_secs_f64() * 1e3;
    println!("{}", bayes_renorm::bench::training_throughput(&now_ms));
}
