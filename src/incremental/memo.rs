//! Memos of pure functions, the one way a stage's work is reused from run to run.
//!
//! A stage routes a call through [`Memos::call`] (or a [`Function`] handle): the function is a
//! closure that captures nothing, so everything it reads is in its argument, and the argument
//! is the key. A call with an argument equal to one of the last run's gives the last run's
//! result; any other is computed. Nothing has to list what a result depends on beside the code
//! that computes it, so the two cannot drift apart.
//!
//! A function may also be handed a [`Helper`] beside its argument: something that makes the
//! call faster and cannot change its result (the highlighter and its memo of code blocks),
//! which is therefore no part of the key.
//!
//! Arguments compare by value, or by identity for shared values ([`Same`]: the very `Arc` the
//! last run had, which the parse stage hands out for unchanged files), or by a digest made
//! once per run ([`Digested`], for settings and tables that many calls share). A run keeps
//! only what it used, so memory stays one run deep; [`Memos::finish_run`] turns this run's
//! calls into the next run's memo.
//!
//! A function may also ask questions while it runs that its argument cannot list beforehand
//! (a template's `get_page`): it is then given an [`Environment`] that answers them, and
//! returns the questions it asked with its result ([`RecordedFunction`]). The environment's
//! own digest joins the key, and a result is reused only while every question it asked gets
//! an answer with the same digest as when it was computed.

use std::any::{Any, TypeId};
use std::hash::{Hash, Hasher};
use std::io;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::incremental::{address, Digest};
use crate::shared_text::SharedText;

/// The memos of one pipeline, one per function called through it.
#[derive(Default)]
pub struct Memos {
    /// Whether results are kept for a next run; a one-off build keeps none.
    keeps: bool,
    by_function: Mutex<FxHashMap<TypeId, Arc<dyn AnyMemo>>>,
}

impl std::fmt::Debug for Memos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let functions = self.by_function.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("Memos").field("keeps", &self.keeps).field("functions", &functions).finish()
    }
}

impl Memos {
    /// Memos that keep each run's results for the next (`quire serve`).
    pub fn kept() -> Memos {
        Memos { keeps: true, by_function: Mutex::default() }
    }

    /// Memos that keep nothing: every call computes (`quire build`).
    pub fn none() -> Memos {
        Memos::default()
    }

    /// Whether results are kept for a next run: a caller that owns an argument no next run
    /// will see may then move it into the computation instead of lending it.
    pub fn keeps(&self) -> bool {
        self.keeps
    }

    /// Calls `function` with `argument`, or gives the last run's result for an equal argument.
    pub fn call<A, V, F>(&self, argument: A, function: F) -> V
    where
        A: Hash + Eq + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        F: Fn(&A) -> V + Copy + Send + Sync + 'static,
    {
        self.function(function).call(argument)
    }

    /// Calls a fallible `function` with `argument`, or gives the last run's result for an
    /// equal argument. Only a success is kept: an error is handed back as computed, owned
    /// by this run's report, and the next run with that argument computes again.
    pub fn try_call<A, V, E, F>(&self, argument: A, function: F) -> Result<V, E>
    where
        A: Hash + Eq + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        F: Fn(&A) -> Result<V, E> + Copy + Send + Sync + 'static,
    {
        self.function(function).try_call(argument)
    }

    /// A handle on `function`'s memo, for many calls (from many threads) without looking the
    /// memo up each time. `function` takes the argument, or the argument and a [`Helper`].
    pub fn function<A, V, F>(&self, function: F) -> Function<A, V, F>
    where
        A: Hash + Eq + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        F: Copy + Send + Sync + 'static,
    {
        Function::of(self.memo::<A, V, F>(), function)
    }

    /// Calls `function` with a borrowed `argument`, or gives the last run's result for an
    /// argument with the same digest (128 bits of its `Hash`). For an argument that borrows
    /// the run's data (the site's URLs, a page's HTML): owning it would cost a copy, and its
    /// digest is made as the call is.
    pub fn call_digested<B, V, F>(&self, argument: &B, function: F) -> V
    where
        B: Hash + ?Sized,
        V: Clone + Send + Sync + 'static,
        F: Fn(&B) -> V + Copy + Send + Sync + 'static,
    {
        self.digested_function(function).call(argument)
    }

    /// A handle on the memo of `function`, a function of a borrowed argument known by its
    /// digest (see [`Memos::call_digested`]), for many calls.
    pub fn digested_function<V, F>(&self, function: F) -> DigestedFunction<V, F>
    where
        V: Clone + Send + Sync + 'static,
        F: Copy + Send + Sync + 'static,
    {
        DigestedFunction(Function::of(self.memo::<u128, V, F>(), function))
    }

    /// A handle on the memo of `function`, a function of a borrowed argument (known by its
    /// digest) and of an [`Environment`] it asks questions of while it runs; see
    /// [`RecordedFunction::try_call`].
    pub fn recorded_function<V, Q, F>(&self, function: F) -> RecordedFunction<V, Q, F>
    where
        V: Clone + Send + Sync + 'static,
        Q: Hash + Eq + Clone + Send + Sync + 'static,
        F: Copy + Send + Sync + 'static,
    {
        RecordedFunction {
            function: Function::of(self.memo::<u128, Recorded<V, Q>, F>(), function),
            verdicts: Mutex::default(),
            lists: Mutex::default(),
        }
    }

    /// A handle on the memo of `function`, a function of an argument and of a value many
    /// calls share (settings, the site's links), for many calls. The shared value is known
    /// by its digest: a call's key is its argument and that digest, so the calls of a run
    /// need not each hold the shared value.
    pub fn shared_function<A, S, V, F>(&self, function: F) -> SharedFunction<A, S, V, F>
    where
        A: Hash + Eq + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        F: Fn(&A, &S) -> V + Copy + Send + Sync + 'static,
    {
        SharedFunction(Function::of(self.memo::<(A, u128), V, F>(), function), std::marker::PhantomData)
    }

    /// [`Memos::shared_function`] for a fallible `function`: only successes are kept (see
    /// [`Memos::try_call`]).
    pub fn try_shared_function<A, S, V, E, F>(&self, function: F) -> SharedFunction<A, S, V, F>
    where
        A: Hash + Eq + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        F: Fn(&A, &S) -> Result<V, E> + Copy + Send + Sync + 'static,
    {
        SharedFunction(Function::of(self.memo::<(A, u128), V, F>(), function), std::marker::PhantomData)
    }

    /// The memo of `function` with keys of type `K`; `None` when nothing is kept.
    fn memo<K, V, F>(&self) -> Option<Arc<Memo<K, V>>>
    where
        K: Hash + Eq + Send + Sync + 'static,
        V: Send + Sync + 'static,
        F: 'static,
    {
        const { assert!(size_of::<F>() == 0, "a memoized function captures nothing: its argument is its key") };
        self.keeps.then(|| {
            let mut by_function = self.by_function.lock().unwrap_or_else(PoisonError::into_inner);
            // By the key's type too: one function could be called by value and by digest.
            let memo = by_function
                .entry(TypeId::of::<(F, K)>())
                .or_insert_with(|| Arc::new(Memo::<K, V>::named(std::any::type_name::<F>())));
            let memo: Arc<dyn Any + Send + Sync> = Arc::clone(memo).as_any();
            memo.downcast::<Memo<K, V>>().unwrap_or_else(|_| unreachable!("one memo type per function"))
        })
    }

    /// Ends a run: what this run's calls used or computed is what the next run can reuse,
    /// and nothing else is held.
    pub fn finish_run(&self) {
        for memo in self.memos() {
            memo.finish_run();
        }
    }

    /// Ends a run that failed: its calls are forgotten, and the last finished run's results
    /// stay the memo. (Were they kept, every failed run would add a run's worth of calls.)
    pub fn abandon_run(&self) {
        for memo in self.memos() {
            memo.abandon_run();
        }
    }

    fn memos(&self) -> Vec<Arc<dyn AnyMemo>> {
        self.by_function.lock().unwrap_or_else(PoisonError::into_inner).values().cloned().collect()
    }
}

/// A value a memoized function is handed beside its argument: it makes the call faster and
/// never changes the result (a memo of another pure function), so it is no part of the key.
/// Implementing it is the promise that the function's result does not depend on it.
pub trait Helper: Send + Sync {}

/// One function's memo, shared by the threads of a run.
pub struct Function<A, V, F> {
    memo: Option<Arc<Memo<A, V>>>,
    /// The last run's results, read without a lock: they change only when a run ends.
    previous: Previous<A, V>,
    function: F,
    /// Calls through this handle that ran the function.
    computed: AtomicUsize,
}

impl<A, V, F> Function<A, V, F>
where
    A: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    fn of(memo: Option<Arc<Memo<A, V>>>, function: F) -> Function<A, V, F> {
        let previous = match &memo {
            Some(memo) => Arc::clone(&memo.previous.read().unwrap_or_else(PoisonError::into_inner)),
            None => Previous::default(),
        };
        Function { memo, previous, function, computed: AtomicUsize::new(0) }
    }

    /// The function's result for `argument`, from the last run if it had an equal one.
    pub fn call(&self, argument: A) -> V
    where
        F: Fn(&A) -> V,
    {
        self.call_keyed(argument, |argument| (self.function)(argument))
    }

    /// A fallible function's result for `argument`: the last run's if it had an equal one,
    /// else computed. Only a success is kept; an error is returned as computed.
    pub fn try_call<E>(&self, argument: A) -> Result<V, E>
    where
        F: Fn(&A) -> Result<V, E>,
    {
        self.try_call_keyed(argument, |argument| (self.function)(argument))
    }

    fn call_keyed(&self, key: A, compute: impl FnOnce(&A) -> V) -> V {
        let result: Result<V, std::convert::Infallible> = self.try_call_keyed(key, |key| Ok(compute(key)));
        match result {
            Ok(value) => value,
        }
    }

    fn try_call_keyed<E>(&self, key: A, compute: impl FnOnce(&A) -> Result<V, E>) -> Result<V, E> {
        let Some(memo) = &self.memo else {
            self.computed.fetch_add(1, Ordering::Relaxed);
            return compute(&key);
        };
        if let Some(value) = Memo::find_in(&self.previous, &key) {
            return Ok(value);
        }
        self.computed.fetch_add(1, Ordering::Relaxed);
        let value = compute(&key)?;
        memo.computed.lock().unwrap_or_else(PoisonError::into_inner).insert(key, value.clone());
        Ok(value)
    }

    /// The results of a fallible function given `helper` for each argument, in order: the
    /// last run's for an equal argument, else computed, in parallel. Only successes are
    /// remembered, so a failed call runs again next time.
    ///
    /// All the arguments are looked up under one lock, and the results computed recorded
    /// under one: a run that reuses nearly everything (a `serve` edit) then costs little
    /// more than one lookup per argument.
    pub fn try_call_each_with<H, E>(&self, arguments: Vec<A>, helper: &H) -> Vec<Result<V, E>>
    where
        H: Helper + ?Sized,
        F: Fn(&A, &H) -> Result<V, E> + Sync,
        E: Send,
    {
        let compute = |argument: &A| {
            self.computed.fetch_add(1, Ordering::Relaxed);
            (self.function)(argument, helper)
        };
        let Some(memo) = &self.memo else {
            // Each argument is dropped once its call is made: nothing holds on to it.
            return arguments.into_par_iter().map(|argument| compute(&argument)).collect();
        };
        let known: Vec<Option<V>> =
            arguments.iter().map(|argument| Memo::find_in(&self.previous, argument)).collect();
        // Only the misses go to the threads; the arguments of reused results are dropped
        // here, as the memo holds equal ones.
        let mut results: Vec<Option<Result<V, E>>> = known.into_iter().map(|known| known.map(Ok)).collect();
        let misses: Vec<(usize, A)> =
            arguments.into_iter().enumerate().filter(|(index, _)| results[*index].is_none()).collect();
        let fresh: Vec<(usize, A, Result<V, E>)> = misses
            .into_par_iter()
            .map(|(index, argument)| {
                let result = compute(&argument);
                (index, argument, result)
            })
            .collect();
        let mut computed = memo.computed.lock().unwrap_or_else(PoisonError::into_inner);
        for (index, argument, result) in fresh {
            if let Ok(value) = &result {
                computed.insert(argument, value.clone());
            }
            results[index] = Some(result);
        }
        results.into_iter().map(|result| result.expect("each argument was looked up or computed")).collect()
    }

    /// How many calls through this handle ran the function rather than reuse a result.
    pub fn computed(&self) -> usize {
        self.computed.load(Ordering::Relaxed)
    }
}

/// The memo of a function of a borrowed argument, known by the argument's digest.
pub struct DigestedFunction<V, F>(Function<u128, V, F>);

impl<V, F> DigestedFunction<V, F>
where
    V: Clone + Send + Sync + 'static,
    F: Copy + Send + Sync + 'static,
{
    /// The function's result for `argument`, from the last run if it had an argument with
    /// the same digest.
    pub fn call<B>(&self, argument: &B) -> V
    where
        B: Hash + ?Sized,
        F: Fn(&B) -> V,
    {
        let mut digest = Digest::new();
        argument.hash(&mut digest);
        self.0.call_keyed(digest.finish_128(), |_| (self.0.function)(argument))
    }

    /// How many calls through this handle computed their result.
    pub fn computed(&self) -> usize {
        self.0.computed()
    }
}

/// The memo of a function of an argument and a shared value (see
/// [`Memos::shared_function`]).
pub struct SharedFunction<A, S, V, F>(Function<(A, u128), V, F>, std::marker::PhantomData<fn(&S)>);

impl<A, S, V, F> SharedFunction<A, S, V, F>
where
    A: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// The function's result for `argument` and `shared`, from the last run if it had an
    /// equal argument with a shared value of the same digest.
    pub fn call(&self, argument: A, shared: &Digested<S>) -> V
    where
        F: Fn(&A, &S) -> V,
    {
        self.0.call_keyed((argument, shared.digest), |(argument, _)| (self.0.function)(argument, shared))
    }

    /// A fallible function's result for `argument` and `shared` (see
    /// [`Memos::try_shared_function`]): only a success is kept.
    pub fn try_call<E>(&self, argument: A, shared: &Digested<S>) -> Result<V, E>
    where
        F: Fn(&A, &S) -> Result<V, E>,
    {
        self.0.try_call_keyed((argument, shared.digest), |(argument, _)| (self.0.function)(argument, shared))
    }

    /// How many calls through this handle computed their result.
    pub fn computed(&self) -> usize {
        self.0.computed()
    }
}

/// What a [`RecordedFunction`] asks questions of while it runs: the questions' answers may
/// change from run to run where the function's argument does not (a template's `get_page`
/// of another page).
pub trait Environment<Q>: Sync {
    /// The digest of what the environment is made of besides its answers (the templates a
    /// render runs), made when it was: it joins every call's key.
    fn digest(&self) -> u128;

    /// The digest of the answer to `query` now.
    fn answer_digest(&self, query: &Q) -> u64;
}

/// The questions a call asked, each with the digest of the answer it got. Calls that asked
/// the same questions of one run share one list, so a run checks each list once.
type Reads<Q> = Arc<[(Q, u64)]>;

/// A result with the questions asked to compute it.
#[derive(Clone)]
struct Recorded<V, Q> {
    value: V,
    /// `None` when it asked nothing (most calls): no list to share or to check.
    reads: Option<Reads<Q>>,
}

/// The memo of a function of a borrowed argument and of an [`Environment`] it asks
/// questions of (see [`Memos::recorded_function`]).
pub struct RecordedFunction<V, Q, F> {
    function: Function<u128, Recorded<V, Q>, F>,
    /// Whether each list of questions of an earlier run still gets the answers it got, by
    /// the list's address: decided once a run.
    verdicts: Mutex<FxHashMap<usize, bool>>,
    /// The lists of questions this run's calls asked, each once.
    lists: Mutex<rustc_hash::FxHashSet<Reads<Q>>>,
}

impl<V, Q, F> RecordedFunction<V, Q, F>
where
    V: Clone + Send + Sync + 'static,
    Q: Hash + Eq + Clone + Send + Sync + 'static,
    F: Copy + Send + Sync + 'static,
{
    /// The function's result for `argument` in `environment`, with whether it was reused:
    /// the last run's result for an argument with the same digest in an environment with the
    /// same digest, as long as every question that result's computation asked of its
    /// environment gets an answer with the same digest now; else computed. `function`
    /// returns its result and the questions it asked. Only successes are remembered.
    pub fn try_call<B, S, E>(&self, argument: &B, environment: &S) -> (Result<V, E>, Reuse)
    where
        B: Hash + ?Sized,
        S: Environment<Q>,
        F: Fn(&B, &S) -> (Result<V, E>, Vec<Q>),
    {
        let compute = || {
            self.function.computed.fetch_add(1, Ordering::Relaxed);
            (self.function.function)(argument, environment)
        };
        let Some(memo) = &self.function.memo else {
            return (compute().0, Reuse::Computed);
        };
        let mut digest = Digest::new();
        environment.digest().hash(&mut digest);
        argument.hash(&mut digest);
        let key = digest.finish_128();
        let found = Memo::find_in_if(&self.function.previous, &key, |recorded| {
            recorded.reads.as_ref().is_none_or(|reads| self.still_answered(reads, environment))
        });
        if let Some(recorded) = found {
            return (Ok(recorded.value), Reuse::Reused);
        }
        let (result, queries) = compute();
        if let Ok(value) = &result {
            let reads = self.intern(queries.into_iter().map(|q| {
                let answer = environment.answer_digest(&q);
                (q, answer)
            }));
            let recorded = Recorded { value: value.clone(), reads };
            memo.computed.lock().unwrap_or_else(PoisonError::into_inner).insert(key, recorded);
        }
        (result, Reuse::Computed)
    }

    /// How many calls through this handle computed their result.
    pub fn computed(&self) -> usize {
        self.function.computed()
    }

    /// Whether every question of `reads` gets the answer it got, decided once a run per list.
    fn still_answered<S: Environment<Q>>(&self, reads: &Reads<Q>, environment: &S) -> bool {
        if reads.is_empty() {
            return true;
        }
        let at = reads.as_ptr() as *const () as usize;
        if let Some(&verdict) = self.verdicts.lock().unwrap_or_else(PoisonError::into_inner).get(&at) {
            return verdict;
        }
        let verdict = reads.iter().all(|(query, answer)| environment.answer_digest(query) == *answer);
        self.verdicts.lock().unwrap_or_else(PoisonError::into_inner).insert(at, verdict);
        verdict
    }

    /// `reads` as a list shared with every equal one of this run's calls; none for none.
    fn intern(&self, reads: impl ExactSizeIterator<Item = (Q, u64)>) -> Option<Reads<Q>> {
        if reads.len() == 0 {
            return None;
        }
        let reads: Reads<Q> = reads.collect();
        let mut lists = self.lists.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(shared) = lists.get(&reads) {
            return Some(Arc::clone(shared));
        }
        lists.insert(Arc::clone(&reads));
        Some(reads)
    }
}

/// Whether a call's result was the last run's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// Computed now.
    Computed,
    /// The last run's.
    Reused,
}

/// The results of one function: the last run's, each marked when this run uses it, and the
/// ones this run computed. Marking rather than copying what is used keeps a run that reuses
/// 10,000 results from rebuilding a map of 10,000 entries.
struct Memo<A, V> {
    /// The function's name, for the debug log.
    name: &'static str,
    /// Shared with this run's handles, which read it without a lock; replaced, or changed
    /// in place once no handle holds it, when a run ends.
    previous: RwLock<Previous<A, V>>,
    computed: Mutex<FxHashMap<A, V>>,
}

/// A function's results of the last run, by argument.
type Previous<A, V> = Arc<FxHashMap<A, Marked<V>>>;

struct Marked<V> {
    value: V,
    used: AtomicBool,
}

impl<V> Marked<V> {
    fn new(value: V) -> Marked<V> {
        Marked { value, used: AtomicBool::new(false) }
    }
}

impl<A, V> Memo<A, V> {
    fn named(name: &'static str) -> Self {
        Memo { name, previous: RwLock::default(), computed: Mutex::default() }
    }
}

impl<A: Hash + Eq, V: Clone> Memo<A, V> {
    fn find_in(previous: &FxHashMap<A, Marked<V>>, argument: &A) -> Option<V> {
        Memo::find_in_if(previous, argument, |_| true)
    }

    /// The last run's result for `argument` if `valid` says it still holds, marked as used.
    fn find_in_if(
        previous: &FxHashMap<A, Marked<V>>,
        argument: &A,
        valid: impl FnOnce(&V) -> bool,
    ) -> Option<V> {
        let found = previous.get(argument).filter(|found| valid(&found.value))?;
        // Read before written: most results are used by one call a run, and a write to every
        // entry's line would be shared between the threads.
        if !found.used.load(Ordering::Relaxed) {
            found.used.store(true, Ordering::Relaxed);
        }
        Some(found.value.clone())
    }
}

trait AnyMemo: Send + Sync {
    fn finish_run(&self);
    fn abandon_run(&self);
    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

impl<A, V> AnyMemo for Memo<A, V>
where
    A: Hash + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    fn finish_run(&self) {
        let computed = std::mem::take(&mut *self.computed.lock().unwrap_or_else(PoisonError::into_inner));
        let mut shared = self.previous.write().unwrap_or_else(PoisonError::into_inner);
        let Some(previous) = Arc::get_mut(&mut shared) else {
            // A handle outlived its run (none does): start again from this run's results.
            let computed = computed.into_iter().map(|(argument, value)| (argument, Marked::new(value)));
            *shared = Arc::new(computed.collect());
            return;
        };
        previous.retain(|_, marked| std::mem::take(marked.used.get_mut()));
        log::debug!("memo: {} computed, {} reused in {}", computed.len(), previous.len(), self.name);
        previous.extend(computed.into_iter().map(|(argument, value)| (argument, Marked::new(value))));
    }

    fn abandon_run(&self) {
        self.computed.lock().unwrap_or_else(PoisonError::into_inner).clear();
        for marked in self.previous.read().unwrap_or_else(PoisonError::into_inner).values() {
            marked.used.store(false, Ordering::Relaxed);
        }
    }

    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// A shared value as an argument: equal only to the very same `Arc`. Holding it keeps the
/// address from being taken by another value while a memo holds it. The value may be
/// unsized: a rendered file's bytes are an `Arc<[u8]>`.
pub struct Same<T: ?Sized>(pub Arc<T>);

impl<T: ?Sized> Same<T> {
    pub fn of(shared: &Arc<T>) -> Same<T> {
        Same(Arc::clone(shared))
    }
}

impl<T: ?Sized> Clone for Same<T> {
    fn clone(&self) -> Self {
        Same(Arc::clone(&self.0))
    }
}

impl<T: ?Sized> PartialEq for Same<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T: ?Sized> Eq for Same<T> {}

impl<T: ?Sized> Hash for Same<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (Arc::as_ptr(&self.0) as *const () as usize).hash(state);
    }
}

impl<T: ?Sized> std::ops::Deref for Same<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A template value as an argument: equal only to the very same shared map or array (held,
/// so that its address is not taken by another while a memo holds it).
#[derive(Clone)]
pub struct SameValue(pub tera::Value);

impl PartialEq for SameValue {
    fn eq(&self, other: &Self) -> bool {
        match (address(&self.0), address(&other.0)) {
            (Some(one), Some(other)) => one == other,
            _ => false,
        }
    }
}

impl Eq for SameValue {}

impl Hash for SameValue {
    fn hash<H: Hasher>(&self, state: &mut H) {
        address(&self.0).hash(state);
    }
}

/// Shared text as an argument: a long text is equal only to the very same text (held, so
/// its address stays its own), which spares hashing a page's HTML each run; a short one,
/// which lives inside its value and moves with it, compares by its bytes.
#[derive(Clone)]
pub struct SameText(pub SharedText);

/// Texts shorter than this compare by their bytes.
const SHORT_TEXT: usize = 64;

impl PartialEq for SameText {
    fn eq(&self, other: &Self) -> bool {
        if self.0.len() < SHORT_TEXT {
            return self.0.as_str() == other.0.as_str();
        }
        self.0.is_same(&other.0)
    }
}

impl Eq for SameText {}

impl Hash for SameText {
    fn hash<H: Hasher>(&self, state: &mut H) {
        if self.0.len() < SHORT_TEXT {
            self.0.as_str().hash(state);
        } else {
            (self.0.address(), self.0.len()).hash(state);
        }
    }
}

/// A value as an argument, compared by a 128-bit digest of it made once: for settings and
/// tables that many calls of a run share.
pub struct Digested<T> {
    value: Arc<T>,
    digest: u128,
}

impl<T: Hash> Digested<T> {
    /// The value, by the digest of its `Hash`.
    pub fn new(value: T) -> Digested<T> {
        let mut digest = Digest::new();
        value.hash(&mut digest);
        Digested { digest: digest.finish_128(), value: Arc::new(value) }
    }
}

impl<T: serde::Serialize> Digested<T> {
    /// The value, by the digest of its serialised form: for types holding floats or tables,
    /// which have no `Hash`.
    pub fn serialized(value: T) -> Digested<T> {
        let mut digest = Digest::new();
        // Writing into a digest cannot fail; a value serde cannot write (none of ours) is
        // told apart from every other by its address, so it is never taken for another.
        if serde_json::to_writer(DigestWriter(&mut digest), &value).is_err() {
            let value = Arc::new(value);
            (Arc::as_ptr(&value) as usize).hash(&mut digest);
            return Digested { digest: digest.finish_128(), value };
        }
        Digested { digest: digest.finish_128(), value: Arc::new(value) }
    }
}

impl<T> Digested<T> {
    /// The value's digest, made once when it was digested.
    pub fn digest(&self) -> u128 {
        self.digest
    }
}

impl<T> Clone for Digested<T> {
    fn clone(&self) -> Self {
        Digested { value: Arc::clone(&self.value), digest: self.digest }
    }
}

impl<T> PartialEq for Digested<T> {
    fn eq(&self, other: &Self) -> bool {
        self.digest == other.digest
    }
}

impl<T> Eq for Digested<T> {}

impl<T> Hash for Digested<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.digest.hash(state);
    }
}

impl<T> AsRef<T> for Digested<T> {
    fn as_ref(&self) -> &T {
        &self.value
    }
}

impl<T> std::ops::Deref for Digested<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Digested<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}

struct DigestWriter<'a>(&'a mut Digest);

impl io::Write for DigestWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    static CALLS: AtomicUsize = AtomicUsize::new(0);

    fn counted(text: &Same<String>) -> usize {
        CALLS.fetch_add(1, Ordering::SeqCst);
        text.len()
    }

    #[test]
    fn an_equal_argument_gets_the_last_runs_result_and_only_used_results_are_kept() {
        let memos = Memos::kept();
        let a = Arc::new("four".to_string());
        let b = Arc::new("seven!!".to_string());
        let before = CALLS.load(Ordering::SeqCst);
        assert_eq!(memos.call(Same::of(&a), counted), 4);
        assert_eq!(memos.call(Same::of(&b), counted), 7);
        memos.finish_run();
        assert_eq!(CALLS.load(Ordering::SeqCst) - before, 2);
        // The same `Arc` is reused; an equal string in another `Arc` is not the same input.
        assert_eq!(memos.call(Same::of(&a), counted), 4);
        assert_eq!(CALLS.load(Ordering::SeqCst) - before, 2);
        assert_eq!(memos.call(Same(Arc::new("four".to_string())), counted), 4);
        assert_eq!(CALLS.load(Ordering::SeqCst) - before, 3);
        memos.finish_run();
        // `b` was not used in the second run, so the third computes it again.
        memos.call(Same::of(&b), counted);
        assert_eq!(CALLS.load(Ordering::SeqCst) - before, 4);
    }

    #[test]
    fn without_keeping_every_call_computes() {
        let memos = Memos::none();
        let square = |n: &u64| n * n;
        assert_eq!(memos.call(3, square), 9);
        memos.finish_run();
        assert_eq!(memos.call(3, square), 9);
        assert!(memos.by_function.lock().unwrap().is_empty());
    }

    #[test]
    fn a_borrowed_argument_is_known_by_its_digest_and_calls_that_computed_are_counted() {
        #[derive(Hash)]
        struct Words<'a> {
            words: Vec<&'a str>,
        }
        let memos = Memos::kept();
        let text = String::from("one two three");
        let joined = |words: &Words<'_>| Arc::new(words.words.concat());
        let first = memos.digested_function(joined);
        let one = first.call(&Words { words: text.split(' ').collect() });
        assert_eq!((one.as_str(), first.computed()), ("onetwothree", 1));
        memos.finish_run();
        // Equal words borrowed from another text: the last run's very result.
        let other = text.clone();
        let second = memos.digested_function(joined);
        let again = second.call(&Words { words: other.split(' ').collect() });
        assert!(Arc::ptr_eq(&one, &again));
        let fewer = second.call(&Words { words: other.split(' ').take(2).collect() });
        assert_eq!((fewer.as_str(), second.computed()), ("onetwo", 1));
        // Without keeping, every call computes and is counted.
        let none = Memos::none();
        let handle = none.digested_function(joined);
        handle.call(&Words { words: vec!["a"] });
        handle.call(&Words { words: vec!["a"] });
        assert_eq!(handle.computed(), 2);
        assert_eq!(memos.call_digested("abc", |text: &str| text.len()), 3);
    }

    #[test]
    fn digested_arguments_compare_by_content() {
        #[derive(serde::Serialize)]
        struct Settings {
            ratio: f64,
            name: String,
        }
        let one = Digested::serialized(Settings { ratio: 0.5, name: "a".into() });
        let same = Digested::serialized(Settings { ratio: 0.5, name: "a".into() });
        let other = Digested::serialized(Settings { ratio: 0.25, name: "a".into() });
        assert!(one == same);
        assert!(one != other);
        assert!(Digested::new(("x", 1)) == Digested::new(("x", 1)));
    }

    struct Halver;
    impl Helper for Halver {}

    #[test]
    fn a_fallible_call_remembers_successes_only_and_counts_what_it_computed() {
        let memos = Memos::kept();
        let half =
            |n: &u32, _: &Halver| if n.is_multiple_of(2) { Ok(n / 2) } else { Err(format!("{n} is odd")) };
        let first = memos.function(half);
        assert_eq!(first.try_call_each_with(vec![4, 3], &Halver), [Ok(2), Err("3 is odd".to_string())]);
        assert_eq!(first.computed(), 2);
        memos.finish_run();
        let second = memos.function(half);
        assert_eq!(second.try_call_each_with(vec![4], &Halver), [Ok(2)]);
        assert_eq!(second.computed(), 0, "4 was remembered");
        assert!(second.try_call_each_with(vec![3], &Halver)[0].is_err());
        assert_eq!(second.computed(), 1, "a failure is computed again");
    }

    #[test]
    fn a_fallible_call_keeps_a_success_and_hands_back_an_error_as_computed() {
        static HALVED: AtomicUsize = AtomicUsize::new(0);
        fn half(n: &u32) -> Result<u32, String> {
            HALVED.fetch_add(1, Ordering::SeqCst);
            if n.is_multiple_of(2) {
                Ok(n / 2)
            } else {
                Err(format!("{n} is odd"))
            }
        }
        let memos = Memos::kept();
        assert_eq!(memos.try_call(4, half), Ok(2));
        assert_eq!(memos.try_call(3, half), Err("3 is odd".to_string()));
        memos.finish_run();
        let before = HALVED.load(Ordering::SeqCst);
        assert_eq!(memos.try_call(4, half), Ok(2));
        assert_eq!(HALVED.load(Ordering::SeqCst), before, "the success is reused");
        assert_eq!(memos.try_call(3, half), Err("3 is odd".to_string()));
        assert_eq!(HALVED.load(Ordering::SeqCst), before + 1, "the error is computed again");
        // A shared value joins the key by its digest.
        fn divided(n: &u32, d: &u32) -> Result<u32, ()> {
            if n.is_multiple_of(*d) {
                Ok(n / d)
            } else {
                Err(())
            }
        }
        let divisor = Digested::new(3_u32);
        let divide = memos.try_shared_function(divided);
        assert_eq!((divide.try_call(9, &divisor), divide.try_call(10, &divisor)), (Ok(3), Err(())));
        assert_eq!(divide.computed(), 2);
        memos.finish_run();
        let divide = memos.try_shared_function(divided);
        assert_eq!((divide.try_call(9, &divisor), divide.try_call(10, &divisor)), (Ok(3), Err(())));
        assert_eq!(divide.computed(), 1, "only the failure computed again");
    }

    /// Answers `get(key)` from a table; its digest stands for its `mood`.
    struct Table {
        mood: u128,
        entries: std::collections::BTreeMap<&'static str, u64>,
    }

    impl Environment<&'static str> for Table {
        fn digest(&self) -> u128 {
            self.mood
        }

        fn answer_digest(&self, query: &&'static str) -> u64 {
            self.entries.get(query).copied().unwrap_or(u64::MAX)
        }
    }

    /// Adds its argument to the answer of the key it names.
    fn add_answer(argument: &(u64, &'static str), table: &Table) -> (Result<u64, ()>, Vec<&'static str>) {
        (Ok(argument.0 + table.answer_digest(&argument.1)), vec![argument.1])
    }

    #[test]
    fn a_recorded_result_is_reused_only_while_its_questions_get_the_same_answers() {
        let memos = Memos::kept();
        let mut table = Table { mood: 1, entries: [("a", 10), ("b", 20)].into() };
        let first = memos.recorded_function(add_answer);
        assert_eq!(first.try_call(&(1, "a"), &table), (Ok(11), Reuse::Computed));
        assert_eq!(first.try_call(&(1, "b"), &table), (Ok(21), Reuse::Computed));
        memos.finish_run();
        // `b`'s answer changed: only the call that asked it computes again.
        table.entries.insert("b", 30);
        let second = memos.recorded_function(add_answer);
        assert_eq!(second.try_call(&(1, "a"), &table), (Ok(11), Reuse::Reused));
        assert_eq!(second.try_call(&(1, "b"), &table), (Ok(31), Reuse::Computed));
        assert_eq!(second.computed(), 1);
        memos.finish_run();
        // Another environment digest: nothing is reused.
        table.mood = 2;
        let third = memos.recorded_function(add_answer);
        assert_eq!(third.try_call(&(1, "a"), &table), (Ok(11), Reuse::Computed));
        // Without keeping, every call computes.
        let none = Memos::none();
        let handle = none.recorded_function(add_answer);
        let _ = handle.try_call(&(1, "a"), &table);
        let _ = handle.try_call(&(1, "a"), &table);
        assert_eq!(handle.computed(), 2);
    }

    #[test]
    fn an_abandoned_run_leaves_the_last_finished_runs_results() {
        let memos = Memos::kept();
        let double = |n: &u32, _: &Halver| Ok::<_, ()>(n * 2);
        memos.function(double).try_call_each_with(vec![1], &Halver);
        memos.finish_run();
        memos.function(double).try_call_each_with(vec![2], &Halver);
        memos.abandon_run();
        let next = memos.function(double);
        assert_eq!(next.try_call_each_with(vec![1], &Halver), [Ok(2)]);
        assert_eq!(next.computed(), 0, "1 is the last finished run's");
        next.try_call_each_with(vec![2], &Halver);
        assert_eq!(next.computed(), 1, "2 was the abandoned run's");
    }
}
