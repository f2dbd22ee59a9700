//! Renderers: one file per output format.

pub mod diff;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

pub use human::HumanOptions;

/// Renders `items` in parallel, `chunk` at a time per task, and hands each
/// chunk's rendering to `write` in order, a batch of chunks at a time: two
/// chunks per thread side by side, enough to keep the threads busy and
/// little to hold (the report is never held whole). The JSON and human
/// reports write their findings through it.
pub(crate) fn in_ordered_batches<T: Sync, R: Send>(
    items: &[T],
    chunk: usize,
    render: impl Fn(&[T]) -> R + Sync,
    mut write: impl FnMut(R) -> std::io::Result<()>,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    let chunk = chunk.max(1);
    let batch = chunk * 2 * rayon::current_num_threads().max(1);
    for batch in items.chunks(batch) {
        let rendered: Vec<R> = batch.par_chunks(chunk).map(&render).collect();
        for r in rendered {
            write(r)?;
        }
    }
    Ok(())
}
