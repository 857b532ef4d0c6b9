//! A set for the handful of names a check compares (env vars, port names, mount paths, mapping
//! keys): a linear scan while it is small, which is most of the time, and hashed once it
//! grows, so that a hostile file with thousands of entries stays linear.

use std::collections::HashSet;
use std::hash::Hash;

use smallvec::SmallVec;

/// Beyond this many items, membership is hashed.
const LINEAR_MAX: usize = 16;

#[derive(Debug)]
pub struct SmallSet<T> {
    /// Inline up to eight items: a set per container per check must not cost an allocation.
    small: SmallVec<[T; 8]>,
    large: Option<HashSet<T>>,
}

impl<T> Default for SmallSet<T> {
    fn default() -> Self {
        Self {
            small: SmallVec::new(),
            large: None,
        }
    }
}

impl<T: Eq + Hash> SmallSet<T> {
    /// Adds `item`; `false` when it was already there.
    pub fn insert(&mut self, item: T) -> bool {
        if let Some(set) = &mut self.large {
            return set.insert(item);
        }
        if self.small.contains(&item) {
            return false;
        }
        self.small.push(item);
        if self.small.len() > LINEAR_MAX {
            self.large = Some(self.small.drain(..).collect());
        }
        true
    }

    #[must_use]
    pub fn contains(&self, item: &T) -> bool {
        match &self.large {
            Some(set) => set.contains(item),
            None => self.small.contains(item),
        }
    }
}

impl<T: Eq + Hash> FromIterator<T> for SmallSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut set = Self::default();
        for item in items {
            set.insert(item);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::SmallSet;

    #[test]
    fn behaves_as_a_set_below_and_above_the_linear_size() {
        for n in [0, 1, 5, 16, 17, 100] {
            let mut set = SmallSet::default();
            for i in 0..n {
                assert!(set.insert(i), "{i} of {n} is new");
                assert!(!set.insert(i), "{i} of {n} is repeated");
            }
            for i in 0..n {
                assert!(set.contains(&i), "{i} of {n}");
            }
            assert!(!set.contains(&n), "{n} was never added");
            let collected: SmallSet<i32> = (0..n).chain(0..n).collect();
            assert!((0..n).all(|i| collected.contains(&i)) && !collected.contains(&n));
        }
    }
}
