//! The best `k` passages by score. Unlike tantivy's `TopDocs`, which starts every segment's
//! block-max WAND skipping from zero, segments searched after the first start from the k-th
//! best score found so far, which spares a later segment the work of collecting candidates
//! worse than ones already kept.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Mutex;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// Collects the `k` best-scoring documents; ties go to the lower address.
pub struct TopScores {
    k: usize,
    /// The k-th best score of the segments collected so far: later segments keep only better.
    floor: Mutex<Score>,
}

impl TopScores {
    pub fn new(k: usize) -> TopScores {
        TopScores {
            k: k.max(1),
            floor: Mutex::new(Score::MIN),
        }
    }
}

/// The ranking order of search: the higher score first, an equal score to the lower address.
pub fn best_first<D: Ord>(a: (Score, D), b: (Score, D)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// One kept document; the heap's greatest entry is the worst kept.
#[derive(Debug, Clone, Copy)]
struct Entry {
    score: Score,
    doc: DocId,
}

impl Ord for Entry {
    fn cmp(&self, other: &Entry) -> Ordering {
        best_first((self.score, self.doc), (other.score, other.doc))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Entry) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}

/// The best documents of one segment that beat the floor.
pub struct SegmentTop {
    segment: SegmentOrdinal,
    k: usize,
    floor: Score,
    heap: BinaryHeap<Entry>,
}

impl SegmentTop {
    /// The score a document must beat to be kept. Documents arrive in doc order, so an equal
    /// score loses to the one kept earlier.
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(worst) if self.heap.len() >= self.k => worst.score.max(self.floor),
            _ => self.floor,
        }
    }

    fn push(&mut self, doc: DocId, score: Score) -> Score {
        if score > self.threshold() {
            self.heap.push(Entry { score, doc });
            if self.heap.len() > self.k {
                self.heap.pop();
            }
        }
        self.threshold()
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.push(doc, score);
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        (self.heap.into_sorted_vec().into_iter())
            .map(|e| (e.score, DocAddress::new(segment, e.doc)))
            .collect()
    }
}

impl Collector for TopScores {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        Ok(SegmentTop {
            segment,
            k: self.k,
            floor: *self.floor.lock().unwrap_or_else(|p| p.into_inner()),
            heap: BinaryHeap::with_capacity(self.k + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<(Score, DocAddress)> = fruits.into_iter().flatten().collect();
        all.sort_by(|a, b| best_first(*a, *b));
        all.truncate(self.k);
        Ok(all)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Fruit> {
        let mut top = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        weight.for_each_pruning(top.threshold(), reader, &mut |doc, score| {
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                return top.threshold();
            }
            top.push(doc, score)
        })?;
        let mut floor = self.floor.lock().unwrap_or_else(|p| p.into_inner());
        *floor = floor.max(top.threshold());
        drop(floor);
        Ok(top.harvest())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(k: usize, floor: Score, docs: &[(DocId, Score)]) -> SegmentTop {
        let mut t = SegmentTop {
            segment: 1,
            k,
            floor,
            heap: BinaryHeap::new(),
        };
        for &(doc, score) in docs {
            t.collect(doc, score);
        }
        t
    }

    #[test]
    fn keeps_the_best_k_and_the_earlier_of_equal_scores() {
        let t = top(
            2,
            Score::MIN,
            &[(0, 1.0), (1, 3.0), (2, 2.0), (3, 3.0), (4, 0.5)],
        );
        assert_eq!(t.threshold(), 3.0);
        let kept: Vec<(Score, DocId)> = t.harvest().iter().map(|(s, a)| (*s, a.doc_id)).collect();
        assert_eq!(kept, vec![(3.0, 1), (3.0, 3)]);
        let t = top(2, Score::MIN, &[(0, 3.0), (1, 3.0), (2, 3.0)]);
        let kept: Vec<DocId> = t.harvest().iter().map(|(_, a)| a.doc_id).collect();
        assert_eq!(kept, vec![0, 1]);
    }

    #[test]
    fn a_later_segment_keeps_only_what_beats_the_floor() {
        let t = top(3, 2.0, &[(0, 1.0), (1, 2.0), (2, 2.5)]);
        assert_eq!(t.threshold(), 2.0, "not full: the floor still holds");
        let kept: Vec<DocId> = t.harvest().iter().map(|(_, a)| a.doc_id).collect();
        assert_eq!(kept, vec![2]);
    }
}
