//! A folder of pictures in class-named subfolders, torchvision's `ImageFolder` convention:
//! `cats/1.png`, `dogs/7.jpg`, or `train/cats/1.png` and `test/cats/2.png` for a given split.
//! Only paths are read here; the pictures are decoded elsewhere.

use super::manifest::Split;

/// Where each picture goes, from the paths alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderLayout {
    /// The class folders' names in sorted order, as `ImageFolder` numbers them.
    pub classes: Vec<String>,
    pub pictures: Vec<FolderPicture>,
    /// A class folder that holds no picture, if any (an error for the caller to name).
    pub empty_class: Option<String>,
    /// Whether the folder had `train/` and `test/`.
    pub split_given: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderPicture {
    /// Index into the paths given to `layout`.
    pub index: usize,
    pub label: usize,
    /// `Some` when the folder gave the split.
    pub split: Option<Split>,
}

/// Why the paths do not make a picture folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayoutError {
    /// A picture with no class folder above it.
    NoClassFolder { path: String },
    /// A test class that the training folder lacks.
    UnknownTestClass { path: String, class: String },
}

/// A folder listed among the files (a zip's or a dropped folder's): its path ends in a separator.
pub fn is_folder(path: &str) -> bool {
    path.ends_with('/') || path.ends_with('\\')
}

/// Hidden files and the `__MACOSX` copies macOS adds to zips are never data.
pub fn is_hidden(path: &str) -> bool {
    components(path).any(|c| c.starts_with('.') || c == "__MACOSX")
}

fn components(path: &str) -> impl Iterator<Item = &str> {
    path.split(['/', '\\']).filter(|c| !c.is_empty())
}

/// The layout of `paths`: pictures (`is_picture`) and directories (ending in `/`, which a zip or
/// a dropped folder may list so that an empty class folder is seen). Anything else is ignored.
/// A folder holding everything (`mydata/`) is looked through.
pub fn layout(paths: &[String], is_picture: &[bool]) -> Result<FolderLayout, LayoutError> {
    let parts: Vec<Vec<&str>> = paths.iter().map(|p| components(p).collect()).collect();
    let pictures: Vec<usize> = (0..paths.len()).filter(|&i| is_picture[i]).collect();
    let folders: Vec<usize> = (0..paths.len())
        .filter(|&i| !is_picture[i] && is_folder(&paths[i]))
        .collect();
    // The folders every picture lies under, which name nothing.
    // Saturating: a picture whose path has no parts lies in no folder (an error below).
    let mut root = pictures
        .first()
        .map_or(0, |&i| parts[i].len().saturating_sub(1));
    for &i in &pictures {
        let common = parts[i]
            .iter()
            .zip(&parts[pictures[0]])
            .take_while(|(a, b)| a == b);
        root = root
            .min(common.count())
            .min(parts[i].len().saturating_sub(1));
    }
    // Pictures all in one folder: that folder is their class (one class, which the caller
    // refuses by name), not a folder to look through.
    if root > 0 && pictures.iter().all(|&i| parts[i].len() == root + 1) {
        root -= 1;
    }
    // Class folders directly under the root: one level for a whole set, two under train/test.
    let below = |i: usize| &parts[i][root.min(parts[i].len())..];
    let split_of = |name: &str| match name.to_ascii_lowercase().as_str() {
        "train" | "training" => Some(Split::Train),
        "test" | "testing" => Some(Split::Test),
        _ => None,
    };
    let split_given = !pictures.is_empty()
        && pictures
            .iter()
            .all(|&i| below(i).len() >= 3 && split_of(below(i)[0]).is_some())
        && pictures
            .iter()
            .any(|&i| split_of(below(i)[0]) == Some(Split::Test));
    let class_of = |i: usize| -> Option<&str> {
        let rest = below(i);
        let rest = if split_given { rest.get(1..)? } else { rest };
        // A picture's class folder is the first folder below; the last part is its own name.
        (rest.len() >= 2).then(|| rest[0])
    };
    let split_in = |i: usize| {
        if split_given {
            split_of(below(i)[0])
        } else {
            None
        }
    };

    let mut classes: Vec<String> = Vec::new();
    for &i in &pictures {
        let Some(class) = class_of(i) else {
            return Err(LayoutError::NoClassFolder {
                path: paths[i].clone(),
            });
        };
        // The training folder names the classes; a test class must be one of them.
        if split_in(i) != Some(Split::Test) && !classes.iter().any(|c| c == class) {
            classes.push(class.to_string());
        }
    }
    classes.sort();
    let mut placed = Vec::with_capacity(pictures.len());
    for &i in &pictures {
        let class = class_of(i).unwrap_or_default();
        let Some(label) = classes.iter().position(|c| c == class) else {
            return Err(LayoutError::UnknownTestClass {
                path: paths[i].clone(),
                class: class.to_string(),
            });
        };
        placed.push(FolderPicture {
            index: i,
            label,
            split: split_in(i),
        });
    }
    // By path, whatever order the files came in (a dropped folder's is the browser's): the same
    // pictures always make the same data set, in ImageFolder's order.
    placed.sort_by(|a, b| paths[a.index].cmp(&paths[b.index]));
    // A listed class folder (a directory entry where class folders are) with no picture in it.
    let root_path: &[&str] = pictures.first().map_or(&[], |&i| &parts[i][..root]);
    let class_depth = root + usize::from(split_given) + 1;
    let empty_class = folders
        .iter()
        .map(|&i| &parts[i])
        .filter(|p| p.len() == class_depth && p.starts_with(root_path))
        .map(|p| p[class_depth - 1].to_string())
        .find(|name| !classes.contains(name));
    Ok(FolderLayout {
        classes,
        pictures: placed,
        empty_class,
        split_given,
    })
}
