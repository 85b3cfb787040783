//! JSON-aware mutations for parsers whose input is JSON (the manifest) or holds a JSON header
//! (safetensors). Byte flips rarely get past a JSON parser; editing the parsed tree keeps the
//! syntax valid so the parser's own checks (types, ranges, offsets) are what gets exercised.

use serde_json::{Map, Value};

use bayes_renorm::rng::Rng;

/// Numbers on the edges of usize, u32 and i64, and the sizes the formats use.
const EDGE_NUMBERS: [i128; 16] = [
    0,
    1,
    -1,
    2,
    3,
    10,
    28,
    784,
    5000,
    0x7fff_ffff,
    0xffff_ffff,
    0x1_0000_0000,
    i64::MAX as i128,
    i64::MIN as i128,
    u64::MAX as i128,
    u64::MAX as i128 - 7,
];

/// Applies one random edit to a random node of `value`: a replaced number, string or type, or
/// an element or key removed, duplicated or renamed. Strings and keys come from `words` (the
/// names the parser looks for) or are random.
pub fn mutate(value: &mut Value, words: &[impl AsRef<str>], rng: &mut Rng) {
    let mut index = rng.below(node_count(value));
    let node = node_mut(value, &mut index).expect("index below the node count");
    match rng.below(6) {
        0 => *node = edge_number(rng),
        1 => *node = nudged(node, rng),
        2 => *node = Value::String(word(words, rng)),
        3 => *node = other_type(rng),
        _ => match node {
            Value::Array(items) => edit_array(items, rng),
            Value::Object(map) => edit_object(map, words, rng),
            _ => *node = edge_number(rng),
        },
    }
}

fn node_count(value: &Value) -> usize {
    1 + match value {
        Value::Array(items) => items.iter().map(node_count).sum(),
        Value::Object(map) => map.values().map(node_count).sum(),
        _ => 0,
    }
}

/// The node `index` in pre-order (0 is `value` itself); counts `index` down as it walks.
fn node_mut<'a>(value: &'a mut Value, index: &mut usize) -> Option<&'a mut Value> {
    if *index == 0 {
        return Some(value);
    }
    *index -= 1;
    match value {
        Value::Array(items) => items.iter_mut().find_map(|v| node_mut(v, index)),
        Value::Object(map) => map.values_mut().find_map(|v| node_mut(v, index)),
        _ => None,
    }
}

fn edge_number(rng: &mut Rng) -> Value {
    let n = EDGE_NUMBERS[rng.below(EDGE_NUMBERS.len())];
    match (u64::try_from(n), i64::try_from(n)) {
        (Ok(u), _) => Value::from(u),
        (_, Ok(i)) => Value::from(i),
        _ => unreachable!("every edge number fits u64 or i64"),
    }
}

/// A number near the node's own value (off by one, doubled, halved, a fraction), if it is one.
fn nudged(node: &Value, rng: &mut Rng) -> Value {
    let Some(n) = node.as_f64() else {
        return edge_number(rng);
    };
    match (node.as_u64(), rng.below(5)) {
        (Some(u), 0) => Value::from(u.wrapping_add(1)),
        (Some(u), 1) => Value::from(u.wrapping_sub(1)),
        (Some(u), 2) => Value::from(u.wrapping_mul(2)),
        (Some(u), 3) => Value::from(u / 2),
        _ => Value::from(n + 0.5),
    }
}

fn word(words: &[impl AsRef<str>], rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => String::new(),
        1 => "x".repeat(1 + rng.below(300)),
        _ if words.is_empty() => String::new(),
        _ => words[rng.below(words.len())].as_ref().to_string(),
    }
}

fn other_type(rng: &mut Rng) -> Value {
    match rng.below(5) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 1),
        2 => Value::Array(Vec::new()),
        3 => Value::Object(Map::new()),
        _ => Value::String(format!("{}", rng.below(1000))),
    }
}

fn edit_array(items: &mut Vec<Value>, rng: &mut Rng) {
    if items.is_empty() {
        items.push(edge_number(rng));
        return;
    }
    let i = rng.below(items.len());
    match rng.below(3) {
        0 => {
            items.remove(i);
        }
        1 => items.insert(i, items[i].clone()),
        _ => items.push(edge_number(rng)),
    }
}

fn edit_object(map: &mut Map<String, Value>, words: &[impl AsRef<str>], rng: &mut Rng) {
    let keys: Vec<String> = map.keys().cloned().collect();
    if keys.is_empty() {
        map.insert(word(words, rng), edge_number(rng));
        return;
    }
    let key = &keys[rng.below(keys.len())];
    match rng.below(3) {
        0 => {
            map.remove(key);
        }
        1 => {
            let value = map.remove(key).expect("key listed above");
            map.insert(word(words, rng), value);
        }
        _ => {
            let value = map[key].clone();
            map.insert(word(words, rng), value);
        }
    }
}
