//! Memos of pure functions, the one way a stage's work is reused from run to run.
//!
//! A stage routes a call through [`Memos::call`] (or a [`Function`] handle): the function is a
//! closure that captures nothing, so everything it reads is in its argument, and the argument
//! is the key. A call with an argument equal to one of the last run's gives the last run's
//! result; any other is computed. Nothing has to list what a result depends on beside the code
//! that computes it, so the two cannot drift apart.
//!
//! Arguments compare by value, or by identity for shared values ([`Same`]: the very `Arc` the
//! last run had, which the parse stage hands out for unchanged files), or by a digest made
//! once per run ([`Digested`], for settings and tables that many calls share). A run keeps
//! only what it used, so memory stays one run deep; [`Memos::finish_run`] turns this run's
//! calls into the next run's memo.

use std::any::{Any, TypeId};
use std::hash::{Hash, Hasher};
use std::io;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use rustc_hash::FxHashMap;

use crate::incremental::Digest;

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

    /// Calls `function` with `argument`, or gives the last run's result for an equal argument.
    pub fn call<A, V, F>(&self, argument: A, function: F) -> V
    where
        A: Hash + Eq + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        F: Fn(&A) -> V + Copy + Send + Sync + 'static,
    {
        self.function(function).call(argument)
    }

    /// A handle on `function`'s memo, for many calls (from many threads) without looking the
    /// memo up each time.
    pub fn function<A, V, F>(&self, function: F) -> Function<A, V, F>
    where
        A: Hash + Eq + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        F: Fn(&A) -> V + Copy + Send + Sync + 'static,
    {
        const { assert!(size_of::<F>() == 0, "a memoized function captures nothing: its argument is its key") };
        let memo = self.keeps.then(|| {
            let mut by_function = self.by_function.lock().unwrap_or_else(PoisonError::into_inner);
            let memo =
                by_function.entry(TypeId::of::<F>()).or_insert_with(|| Arc::new(Memo::<A, V>::default()));
            let memo: Arc<dyn Any + Send + Sync> = Arc::clone(memo).as_any();
            memo.downcast::<Memo<A, V>>().unwrap_or_else(|_| unreachable!("one memo type per function"))
        });
        Function { memo, function }
    }

    /// Ends a run: what this run's calls used or computed is what the next run can reuse,
    /// and nothing else is held.
    pub fn finish_run(&self) {
        let memos: Vec<Arc<dyn AnyMemo>> =
            self.by_function.lock().unwrap_or_else(PoisonError::into_inner).values().cloned().collect();
        for memo in memos {
            memo.finish_run();
        }
    }
}

/// One function's memo, shared by the threads of a run.
pub struct Function<A, V, F> {
    memo: Option<Arc<Memo<A, V>>>,
    function: F,
}

impl<A, V, F> Function<A, V, F>
where
    A: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
    F: Fn(&A) -> V + Copy + Send + Sync + 'static,
{
    /// The function's result for `argument`, from the last run if it had an equal one.
    pub fn call(&self, argument: A) -> V {
        let Some(memo) = &self.memo else {
            return (self.function)(&argument);
        };
        let known = memo.previous.read().unwrap_or_else(PoisonError::into_inner).get(&argument).cloned();
        let value = known.unwrap_or_else(|| (self.function)(&argument));
        memo.current.lock().unwrap_or_else(PoisonError::into_inner).push((argument, value.clone()));
        value
    }
}

/// The results of one function: the last run's, and this run's so far.
struct Memo<A, V> {
    previous: RwLock<FxHashMap<A, V>>,
    current: Mutex<Vec<(A, V)>>,
}

impl<A, V> Default for Memo<A, V> {
    fn default() -> Self {
        Memo { previous: RwLock::default(), current: Mutex::default() }
    }
}

trait AnyMemo: Send + Sync {
    fn finish_run(&self);
    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync>;
}

impl<A, V> AnyMemo for Memo<A, V>
where
    A: Hash + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    fn finish_run(&self) {
        let current = std::mem::take(&mut *self.current.lock().unwrap_or_else(PoisonError::into_inner));
        let mut previous = self.previous.write().unwrap_or_else(PoisonError::into_inner);
        previous.clear();
        previous.extend(current);
    }

    fn as_any(self: Arc<Self>) -> Arc<dyn Any + Send + Sync> {
        self
    }
}

/// A shared value as an argument: equal only to the very same `Arc`. Holding it keeps the
/// address from being taken by another value while a memo holds it.
pub struct Same<T>(pub Arc<T>);

impl<T> Same<T> {
    pub fn of(shared: &Arc<T>) -> Same<T> {
        Same(Arc::clone(shared))
    }
}

impl<T> Clone for Same<T> {
    fn clone(&self) -> Self {
        Same(Arc::clone(&self.0))
    }
}

impl<T> PartialEq for Same<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Eq for Same<T> {}

impl<T> Hash for Same<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (Arc::as_ptr(&self.0) as *const () as usize).hash(state);
    }
}

impl<T> std::ops::Deref for Same<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
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
}
