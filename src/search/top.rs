//! The best `k` passages by score, and the order of passages that score the same. Unlike
//! tantivy's `TopDocs`, which starts every segment's block-max WAND skipping from zero, segments
//! searched after the first start from the k-th best score found so far, which spares a later
//! segment the work of collecting candidates worse than ones already kept. Equal scores are
//! ordered by a key of the content ([`Key`]), never by where a passage landed in the index, so
//! the same articles give the same ranking however they were ingested.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::query::Weight;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The order of passages with equal scores: their article (by the stable 64-bit hash of its
/// id), then their number in it. Written by the content alone, not by segment or doc id.
pub type Key = (u64, u64);

/// A ranked candidate: score, order key, passage, and (grouped) how many other passages of its
/// article matched.
pub type Candidate = (Score, Key, DocAddress, Option<u64>);

/// Reads the [`Key`] of a segment's documents from its columns.
#[derive(Clone)]
pub struct Keys {
    article: Column<u64>,
    number: Column<u64>,
}

impl Keys {
    pub fn new(reader: &SegmentReader) -> tantivy::Result<Keys> {
        let fast = reader.fast_fields();
        Ok(Keys {
            article: fast.u64("article_key")?,
            number: fast.u64("number")?,
        })
    }

    /// The article key of a passage (none on article records).
    pub fn article(&self, doc: DocId) -> Option<u64> {
        self.article.first(doc)
    }

    pub fn get(&self, doc: DocId) -> Key {
        (
            self.article.first(doc).unwrap_or(u64::MAX),
            self.number.first(doc).unwrap_or(u64::MAX),
        )
    }
}

/// The [`Keys`] of every segment a searcher sees, opened once per searcher (opening a column
/// costs more than a short query).
#[derive(Clone)]
pub struct Order(Arc<Vec<Keys>>);

impl Order {
    pub fn new(searcher: &tantivy::Searcher) -> tantivy::Result<Order> {
        let keys = (searcher.segment_readers().iter())
            .map(Keys::new)
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Order(Arc::new(keys)))
    }

    /// The keys of segment `ord`.
    pub fn segment(&self, ord: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<Keys> {
        match self.0.get(ord as usize) {
            Some(keys) => Ok(keys.clone()),
            None => Keys::new(reader),
        }
    }
}

/// Collects the `k` best-scoring documents; ties go to the lower [`Key`].
pub struct TopScores {
    order: Order,
    k: usize,
    /// The k-th best score of the segments collected so far: later segments keep only better.
    floor: Mutex<Score>,
}

impl TopScores {
    pub fn new(k: usize, order: &Order) -> TopScores {
        TopScores {
            order: order.clone(),
            k: k.max(1),
            floor: Mutex::new(Score::MIN),
        }
    }
}

/// The ranking order of search: the higher score first, an equal score to the lower key.
pub fn best_first<D: Ord>(a: (Score, D), b: (Score, D)) -> Ordering {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1))
}

/// The pruning threshold that lets a score equal to `score` through (tantivy passes on only
/// scores above its threshold; an equal score may still win on its key).
fn admitting(score: Score) -> Score {
    score.next_down()
}

/// One kept document; the heap's greatest entry is the worst kept.
#[derive(Debug, Clone, Copy)]
struct Entry {
    score: Score,
    key: Key,
    doc: DocId,
}

impl Ord for Entry {
    fn cmp(&self, other: &Entry) -> Ordering {
        best_first((self.score, self.key), (other.score, other.key))
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
    keys: Option<Keys>,
}

impl SegmentTop {
    /// The lowest score a document may have to be kept (an equal one wins on a lower key).
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(worst) if self.heap.len() >= self.k => worst.score.max(self.floor),
            _ => self.floor,
        }
    }

    fn push(&mut self, doc: DocId, score: Score) -> Score {
        if score >= self.threshold() {
            let key = self
                .keys
                .as_ref()
                .map_or((0, u64::from(doc)), |k| k.get(doc));
            let entry = Entry { score, key, doc };
            let full = self.heap.len() >= self.k;
            if !full || self.heap.peek().is_some_and(|worst| entry < *worst) {
                self.heap.push(entry);
                if self.heap.len() > self.k {
                    self.heap.pop();
                }
            }
        }
        admitting(self.threshold())
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = Vec<(Score, Key, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.push(doc, score);
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        (self.heap.into_sorted_vec().into_iter())
            .map(|e| (e.score, e.key, DocAddress::new(segment, e.doc)))
            .collect()
    }
}

impl Collector for TopScores {
    type Fruit = Vec<(Score, Key, DocAddress)>;
    type Child = SegmentTop;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTop> {
        Ok(SegmentTop {
            segment,
            k: self.k,
            floor: *self.floor.lock().unwrap_or_else(|p| p.into_inner()),
            heap: BinaryHeap::with_capacity(self.k + 1),
            keys: Some(self.order.segment(segment, reader)?),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<(Score, Key, DocAddress)> = fruits.into_iter().flatten().collect();
        all.sort_by(|a, b| best_first((a.0, a.1), (b.0, b.1)));
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
        weight.for_each_pruning(admitting(top.threshold()), reader, &mut |doc, score| {
            if alive.is_some_and(|a| a.is_deleted(doc)) {
                return admitting(top.threshold());
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
            keys: None,
        };
        for &(doc, score) in docs {
            t.collect(doc, score);
        }
        t
    }

    #[test]
    fn keeps_the_best_k_and_the_lower_key_of_equal_scores() {
        let t = top(
            2,
            Score::MIN,
            &[(0, 1.0), (1, 3.0), (2, 2.0), (3, 3.0), (4, 0.5)],
        );
        assert_eq!(t.threshold(), 3.0);
        let kept: Vec<(Score, DocId)> =
            t.harvest().iter().map(|(s, _, a)| (*s, a.doc_id)).collect();
        assert_eq!(kept, vec![(3.0, 1), (3.0, 3)]);
        let t = top(2, Score::MIN, &[(0, 3.0), (1, 3.0), (2, 3.0)]);
        let kept: Vec<DocId> = t.harvest().iter().map(|(_, _, a)| a.doc_id).collect();
        assert_eq!(kept, vec![0, 1]);
        // In any arrival order, equal scores keep the lowest keys (here: the doc ids).
        let t = top(2, Score::MIN, &[(7, 3.0), (5, 3.0), (2, 1.0), (6, 3.0)]);
        let kept: Vec<DocId> = t.harvest().iter().map(|(_, _, a)| a.doc_id).collect();
        assert_eq!(kept, vec![5, 6]);
    }

    #[test]
    fn a_later_segment_keeps_only_what_beats_the_floor() {
        let t = top(3, 2.0, &[(0, 1.0), (1, 2.0), (2, 2.5)]);
        assert_eq!(t.threshold(), 2.0, "not full: the floor still holds");
        let kept: Vec<DocId> = t.harvest().iter().map(|(_, _, a)| a.doc_id).collect();
        assert_eq!(kept, vec![2, 1], "an equal score may still win on its key");
    }
}
