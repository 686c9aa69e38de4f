//! Skipping for the best-k collection of the clauses tantivy scores exhaustively: an exact
//! phrase checks word positions only in passages where the words' frequencies could make it
//! beat the k-th best score so far, and a union of ranked words with phrases (or joined
//! clauses) scores those clauses' matches first, then lets the words skip with block-max WAND
//! above the score they set. Everything but the best-k collection (scorers, explanations,
//! counts) is the wrapped tantivy query's.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, BooleanQuery, EmptyQuery, EnableScoring, Explanation, PhraseQuery, Query, Scorer,
    Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, TERMINATED, Term};

use super::query::any_of;

/// The best-k collection of a clause, in place of tantivy's.
trait Pruner: Send + Sync + 'static {
    /// As [`Weight::for_each_pruning`]; `inner` is the clause's tantivy weight.
    fn for_each_pruning(
        &self,
        inner: &dyn Weight,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()>;
}

/// A tantivy weight whose best-k collection is `pruner`'s; everything else is `inner`'s.
struct Pruned<P> {
    inner: Box<dyn Weight>,
    pruner: P,
}

impl<P: Pruner> Weight for Pruned<P> {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.inner.scorer(reader, boost)
    }

    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        self.inner.scorer_danger(reader, target, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.inner.count(reader)
    }

    fn for_each(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score),
    ) -> tantivy::Result<()> {
        self.inner.for_each(reader, callback)
    }

    fn for_each_no_score(
        &self,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(&[DocId]),
    ) -> tantivy::Result<()> {
        self.inner.for_each_no_score(reader, callback)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        (self.pruner).for_each_pruning(&*self.inner, threshold, reader, callback)
    }
}

/// An exact phrase: `(offset, term)` pairs, as [`PhraseQuery::new_with_offset`] takes them.
#[derive(Debug, Clone)]
pub struct PrunedPhrase {
    inner: PhraseQuery,
    terms: Vec<(usize, Term)>,
}

impl PrunedPhrase {
    pub fn new(terms: Vec<(usize, Term)>) -> PrunedPhrase {
        PrunedPhrase {
            inner: PhraseQuery::new_with_offset(terms.clone()),
            terms,
        }
    }
}

impl PrunedPhrase {
    /// What the phrase's best-k collection needs.
    fn pruner(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Phrase> {
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => {
                let terms: Vec<Term> = self.terms.iter().map(|(_, t)| t.clone()).collect();
                Some(Bm25Weight::for_terms(statistics_provider, &terms)?)
            }
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Phrase {
            bm25,
            terms: self.terms.clone(),
        })
    }
}

impl Query for PrunedPhrase {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(Pruned {
            inner: self.inner.weight(scoring)?,
            pruner: self.pruner(scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

/// An exact phrase's words and weight.
struct Phrase {
    /// The phrase's BM25 weight, as tantivy's phrase scorer scores it.
    bm25: Option<Bm25Weight>,
    terms: Vec<(usize, Term)>,
}

/// One word of a phrase in one segment.
struct Word {
    postings: SegmentPostings,
    offset: u32,
}

impl Phrase {
    /// The words' postings in `reader`, rarest first (none if a word is missing).
    fn words(&self, reader: &SegmentReader) -> tantivy::Result<Option<Vec<Word>>> {
        let mut words = Vec::with_capacity(self.terms.len());
        for (offset, term) in &self.terms {
            let inverted = reader.inverted_index(term.field())?;
            match inverted.read_postings(term, IndexRecordOption::WithFreqsAndPositions)? {
                Some(postings) => words.push(Word {
                    postings,
                    offset: *offset as u32,
                }),
                None => return Ok(None),
            }
        }
        words.sort_by_key(|w| w.postings.doc_freq());
        Ok(Some(words))
    }
}

/// Where a phrase's matches go, in doc order.
trait PhraseSink {
    /// Whether a document where the phrase could score at most `bound` is worth reading the
    /// word positions of.
    fn worth(&mut self, doc: DocId, bound: Score) -> bool;
    /// A document where the phrase occurs, with its score.
    fn found(&mut self, doc: DocId, score: Score);
}

impl Phrase {
    /// Visits the documents holding every word (with scoring enabled): those `worth` it are
    /// checked for the phrase, and its matches are `found`.
    fn visit(&self, reader: &SegmentReader, sink: &mut dyn PhraseSink) -> tantivy::Result<()> {
        let (Some(bm25), Some(mut words)) = (&self.bm25, self.words(reader)?) else {
            return Ok(());
        };
        // As tantivy's phrase scorer: a field without norms scores every length alike.
        let norms = (reader
            .fieldnorms_readers()
            .get_field(self.terms[0].1.field())?)
        .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
        let (mut starts, mut next) = (Vec::new(), Vec::new());
        let first = words[0].postings.doc();
        let mut doc = align(&mut words, first);
        while doc != TERMINATED {
            let norm = norms.fieldnorm_id(doc);
            // The phrase's score grows with how often it occurs, which is at most its rarest
            // word's frequency there.
            let most = words.iter().map(|w| w.postings.term_freq()).min();
            if sink.worth(doc, bm25.score(norm, most.unwrap_or(0))) {
                let count = phrase_count(&mut words, &mut starts, &mut next);
                if count > 0 {
                    sink.found(doc, bm25.score(norm, count));
                }
            }
            let after = words[0].postings.advance();
            doc = align(&mut words, after);
        }
        Ok(())
    }
}

/// The best-k collection of a lone phrase.
struct Best<'a> {
    threshold: Score,
    callback: &'a mut dyn FnMut(DocId, Score) -> Score,
}

impl PhraseSink for Best<'_> {
    fn worth(&mut self, _doc: DocId, bound: Score) -> bool {
        bound > self.threshold
    }
    fn found(&mut self, doc: DocId, score: Score) {
        if score > self.threshold {
            self.threshold = (self.callback)(doc, score);
        }
    }
}

/// Moves every word to the first document at or after `doc` that all of them contain.
fn align(words: &mut [Word], mut doc: DocId) -> DocId {
    'candidates: while doc != TERMINATED {
        for w in words.iter_mut() {
            let at = if w.postings.doc() < doc {
                w.postings.seek(doc)
            } else {
                w.postings.doc()
            };
            if at > doc {
                doc = at;
                continue 'candidates;
            }
        }
        return doc;
    }
    TERMINATED
}

/// How often the words stand at their offsets in the current document: the phrase's start
/// positions common to every word. `starts` and `next` are reused buffers.
fn phrase_count(words: &mut [Word], starts: &mut Vec<u32>, next: &mut Vec<u32>) -> u32 {
    // A start position p has word i at p + offset; positions are shifted by the largest
    // offset so that no start is negative.
    let top = words.iter().map(|w| w.offset).max().unwrap_or(0);
    let (first, rest) = words.split_first_mut().expect("a phrase has words");
    first
        .postings
        .positions_with_offset(top - first.offset, starts);
    for w in rest {
        if starts.is_empty() {
            break;
        }
        w.postings.positions_with_offset(top - w.offset, next);
        let mut j = 0;
        starts.retain(|p| {
            while j < next.len() && next[j] < *p {
                j += 1;
            }
            j < next.len() && next[j] == *p
        });
    }
    starts.len() as u32
}

impl Pruner for Phrase {
    /// Positions are read only where the phrase could beat the threshold.
    fn for_each_pruning(
        &self,
        inner: &dyn Weight,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        if self.bm25.is_none() {
            return inner.for_each_pruning(threshold, reader, callback);
        }
        self.visit(
            reader,
            &mut Best {
                threshold,
                callback,
            },
        )
    }
}

/// A union of ranked `words` (term clauses) and `others` (phrases, joined clauses), scored as
/// their sum.
#[derive(Debug)]
pub struct PrunedUnion {
    all: BooleanQuery,
    /// Each word, and their union.
    words: Vec<Box<dyn Query>>,
    any_word: Box<dyn Query>,
    others: Box<dyn Query>,
    /// The others when they are one exact phrase, which can skip among the words.
    phrase: Option<PrunedPhrase>,
}

impl Clone for PrunedUnion {
    fn clone(&self) -> Self {
        PrunedUnion {
            all: self.all.clone(),
            words: self.words.iter().map(|q| q.box_clone()).collect(),
            any_word: self.any_word.box_clone(),
            others: self.others.box_clone(),
            phrase: self.phrase.clone(),
        }
    }
}

/// One query matching any of `queries`.
fn union(queries: &[Box<dyn Query>]) -> Box<dyn Query> {
    any_of(queries.iter().map(|q| q.box_clone()).collect()).unwrap_or_else(|| Box::new(EmptyQuery))
}

impl PrunedUnion {
    /// The union of `words` and `others` (each at least one).
    pub fn new(words: Vec<Box<dyn Query>>, others: Vec<Box<dyn Query>>) -> PrunedUnion {
        let phrase = match others.as_slice() {
            [q] => q.downcast_ref::<PrunedPhrase>().cloned(),
            _ => None,
        };
        let (any_word, others_union) = (union(&words), union(&others));
        let all = words.iter().map(|q| q.box_clone()).chain(others).collect();
        PrunedUnion {
            all: BooleanQuery::union(all),
            words,
            any_word,
            others: others_union,
            phrase,
        }
    }
}

impl PrunedUnion {
    /// The union as a plain boolean query of its words, then the others.
    pub fn all(&self) -> &BooleanQuery {
        &self.all
    }
}

impl Query for PrunedUnion {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(Pruned {
            inner: self.all.weight(scoring)?,
            pruner: Union {
                words: self.any_word.weight(scoring)?,
                word_clauses: (self.words.iter())
                    .map(|q| q.weight(scoring))
                    .collect::<tantivy::Result<_>>()?,
                // A phrase is matched by its pruner; other clauses by their own weight.
                others: match &self.phrase {
                    Some(p) => Others::Phrase(p.pruner(scoring)?),
                    None => Others::Clauses(self.others.weight(scoring)?),
                },
            },
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.all.query_terms(visitor);
    }
}

/// The parts of a union of words and others.
struct Union {
    words: Box<dyn Weight>,
    word_clauses: Vec<Box<dyn Weight>>,
    others: Others,
}

/// The clauses of a union besides its words.
enum Others {
    /// One exact phrase, which can skip among the words.
    Phrase(Phrase),
    /// Anything else, scored in full.
    Clauses(Box<dyn Weight>),
}

/// The score of each word clause at `doc` (0 where it does not match), in `scores`; the
/// scorers are moved forward to it.
fn word_scores(words: &mut [Box<dyn Scorer>], doc: DocId, scores: &mut Vec<Score>) {
    scores.clear();
    for w in words {
        let at = if w.doc() < doc { w.seek(doc) } else { w.doc() };
        scores.push(if at == doc { w.score() } else { 0.0 });
    }
}

/// A match's full score: the others' score plus its words'.
fn full_score(others: Score, words: &[Score]) -> Score {
    words.iter().fold(others, |sum, w| sum + w)
}

/// The best-k collection of a phrase among words: a document is checked for the phrase only if
/// the phrase's bound and its words could beat the threshold together.
struct AmongWords<'a> {
    words: &'a mut [Box<dyn Scorer>],
    scores: Vec<Score>,
    threshold: Score,
    callback: &'a mut dyn FnMut(DocId, Score) -> Score,
    /// The phrase's matches, scored in full.
    matched: &'a mut Vec<DocId>,
}

impl PhraseSink for AmongWords<'_> {
    fn worth(&mut self, doc: DocId, bound: Score) -> bool {
        word_scores(self.words, doc, &mut self.scores);
        full_score(bound, &self.scores) > self.threshold
    }
    fn found(&mut self, doc: DocId, score: Score) {
        self.matched.push(doc);
        let score = full_score(score, &self.scores);
        if score > self.threshold {
            self.threshold = (self.callback)(doc, score);
        }
    }
}

impl Pruner for Union {
    /// The others' matches are scored in full (with the words they contain); the rest can only
    /// match through the words, which skip what cannot beat the threshold. A phrase is checked
    /// only where it and its words could beat it; a document it skips scores no better than
    /// the threshold, and so cannot beat it through its words alone either.
    fn for_each_pruning(
        &self,
        _all: &dyn Weight,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut words = (self.word_clauses.iter())
            .map(|w| w.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut matched: Vec<DocId> = Vec::new();
        match &self.others {
            Others::Phrase(phrase) => {
                let mut sink = AmongWords {
                    words: &mut words,
                    scores: Vec::new(),
                    threshold,
                    callback: &mut *callback,
                    matched: &mut matched,
                };
                phrase.visit(reader, &mut sink)?;
                threshold = sink.threshold;
            }
            Others::Clauses(weight) => {
                let mut others: Vec<(DocId, Score)> = Vec::new();
                weight.for_each(reader, &mut |doc, score| others.push((doc, score)))?;
                let mut scores = Vec::new();
                for (doc, score) in others {
                    word_scores(&mut words, doc, &mut scores);
                    matched.push(doc);
                    let score = full_score(score, &scores);
                    if score > threshold {
                        threshold = callback(doc, score);
                    }
                }
            }
        }
        let mut rest = matched.iter().copied().peekable();
        self.words
            .for_each_pruning(threshold, reader, &mut |doc, score| {
                while rest.next_if(|d| *d < doc).is_some() {}
                if rest.peek() == Some(&doc) {
                    return threshold;
                }
                threshold = callback(doc, score);
                threshold
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BoostQuery, TermQuery};
    use tantivy::schema::{Schema, TEXT, TextFieldIndexing, TextOptions};
    use tantivy::{DocAddress, Index, IndexWriter, TantivyDocument};

    /// Documents of a few topic words among filler words, so that phrases occur 0 to several
    /// times, in texts of different lengths.
    fn index() -> (Index, tantivy::schema::Field) {
        index_with(TEXT)
    }

    fn index_with(options: TextOptions) -> (Index, tantivy::schema::Field) {
        let mut schema = Schema::builder();
        let text = schema.add_text_field("text", options);
        let index = Index::create_in_ram(schema.build());
        let words = [
            "kim",
            "trump",
            "gipfel",
            "korea",
            "nord",
            "sanktionen",
            "gespräche",
        ];
        let fillers: Vec<String> = (0..60).map(|i| format!("wort{i}")).collect();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut seed = 7u64;
        for i in 0..3000 {
            let len = 3 + i % 40;
            let doc: Vec<&str> = (0..len)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let r = (seed >> 33) as usize;
                    match r % 100 {
                        n if n < 35 => words[r / 100 % words.len()],
                        _ => &fillers[r / 100 % fillers.len()],
                    }
                })
                .collect();
            let mut d = TantivyDocument::default();
            d.add_text(text, doc.join(" "));
            writer.add_document(d).unwrap();
            if i % 1000 == 999 {
                writer.commit().unwrap(); // several segments
            }
        }
        writer.commit().unwrap();
        (index, text)
    }

    /// Scores (to 1e-4) and documents, best first.
    type Ranked = Vec<(u32, DocAddress)>;

    /// The best `k` by scoring every match, and by the pruning collection.
    fn both(index: &Index, query: &dyn Query, k: usize) -> (Ranked, Ranked) {
        let searcher = index.reader().unwrap().searcher();
        let weight = query
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();
        let mut all = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            weight
                .for_each(reader, &mut |doc, score| all.push((score, ord as u32, doc)))
                .unwrap();
        }
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
        // Scores compared to 1e-4: a sum's order may differ in the last bits.
        let key = |s: f32| (s * 1e4).round() as u32;
        let exhaustive = (all.iter().take(k))
            .map(|&(s, ord, doc)| (key(s), DocAddress::new(ord, doc)))
            .collect();
        let pruned = searcher
            .search(query, &TopDocs::with_limit(k).order_by_score())
            .unwrap();
        (
            exhaustive,
            pruned.iter().map(|&(s, a)| (key(s), a)).collect(),
        )
    }

    fn phrase(f: tantivy::schema::Field, words: &[&str]) -> PrunedPhrase {
        PrunedPhrase::new(
            (words.iter().enumerate())
                .map(|(i, w)| (i, Term::from_field_text(f, w)))
                .collect(),
        )
    }

    #[test]
    fn a_phrase_on_a_field_without_norms_scores_every_length_alike() {
        let indexing = TextFieldIndexing::default()
            .set_index_option(IndexRecordOption::WithFreqsAndPositions)
            .set_fieldnorms(false);
        let (index, f) = index_with(TextOptions::default().set_indexing_options(indexing));
        let (exhaustive, pruned) = both(&index, &phrase(f, &["kim", "trump"]), 10);
        assert_eq!(exhaustive.len(), 10);
        assert_eq!(pruned, exhaustive);
    }

    #[test]
    fn a_pruned_phrase_finds_the_best_phrase_matches() {
        let (index, f) = index();
        for words in [
            &["kim", "trump"][..],
            &["nord", "korea", "gipfel"],
            &["kim", "kim"],
        ] {
            let (exhaustive, pruned) = both(&index, &phrase(f, words), 10);
            assert_eq!(
                exhaustive.len(),
                10,
                "{words:?} matches at least 10 documents"
            );
            assert_eq!(pruned, exhaustive, "{words:?}");
        }
    }

    #[test]
    fn a_pruned_union_scores_phrase_matches_with_their_words() {
        let (index, f) = index();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(f, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        // A lone phrase skips among the words; a weighted one is scored in full first. With
        // `kim` among the words a phrase match's words weigh much, and with the words weighted
        // up (or the phrase down) they alone would rank it too.
        let cases = [
            (("sanktionen", 1.0), ("gespräche", 0.4), 1.0),
            (("kim", 1.0), ("gipfel", 0.4), 1.0),
            (("kim", 8.0), ("trump", 0.4), 1.0),
            (("kim", 1.0), ("gipfel", 0.4), 0.05),
        ];
        for ((w0, b0), (w1, b1), boost) in cases {
            let phrase = Box::new(phrase(f, &["kim", "trump"]));
            let others: Box<dyn Query> = if boost == 1.0 {
                phrase
            } else {
                Box::new(BoostQuery::new(phrase, boost))
            };
            let union = PrunedUnion::new(
                vec![
                    Box::new(BoostQuery::new(term(w0), b0)),
                    Box::new(BoostQuery::new(term(w1), b1)),
                ],
                vec![others],
            );
            assert_eq!(union.phrase.is_some(), boost == 1.0);
            let (exhaustive, pruned) = both(&index, &union, 10);
            assert_eq!(exhaustive.len(), 10);
            assert_eq!(pruned, exhaustive, "{w0} {w1} {boost}");
        }
    }
}
