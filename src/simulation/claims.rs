//! Claims of consecutive units (the years of a book, the trials of a cover) gathered into
//! batches for the batched samplers' passes.

/// Claims drawn together: large enough for the vector passes, small enough for the cache.
pub(crate) const CHUNK: usize = 1024;

/// The claims waiting for their batch: each claim's counter input, and where each unit's
/// claims end among them.
#[derive(Debug)]
pub(crate) struct ClaimBatches {
    inputs: Vec<u64>,
    ends: Vec<(usize, usize)>,
}

impl Default for ClaimBatches {
    fn default() -> Self {
        Self {
            inputs: Vec::with_capacity(CHUNK),
            ends: Vec::with_capacity(CHUNK),
        }
    }
}

/// What a batch is handed to: the claims' counter inputs, and (unit, end) of each unit's
/// claims among them, in order.
pub(crate) type Flush<'a> = dyn FnMut(&[u64], &[(usize, usize)]) + 'a;

impl ClaimBatches {
    /// Adds the `n` claims of `unit`, claim j's counter input `first + j·step`, handing
    /// every [`CHUNK`] claims to `flush`. A unit may span two batches: it then has an end
    /// in each.
    #[inline]
    pub(crate) fn push(&mut self, unit: usize, first: u64, step: u64, n: u64, flush: &mut Flush) {
        if n == 0 {
            return;
        }
        // Most units fit in the batch's room: no splitting.
        if n < (CHUNK - self.inputs.len()) as u64 {
            let inputs = (0..n).map(|c| first.wrapping_add(c.wrapping_mul(step)));
            self.inputs.extend(inputs);
            self.ends.push((unit, self.inputs.len()));
            return;
        }
        self.split(unit, first, step, n, flush);
    }

    /// [`push`](Self::push) of a unit that fills the batch.
    fn split(&mut self, unit: usize, first: u64, step: u64, n: u64, flush: &mut Flush) {
        let mut j = 0;
        while j < n {
            let take = ((CHUNK - self.inputs.len()) as u64).min(n - j);
            let start = first.wrapping_add(j.wrapping_mul(step));
            self.inputs
                .extend((0..take).map(|c| start.wrapping_add(c.wrapping_mul(step))));
            self.ends.push((unit, self.inputs.len()));
            j += take;
            if self.inputs.len() == CHUNK {
                self.flush(flush);
            }
        }
    }

    /// Hands the claims still waiting to `flush`.
    pub(crate) fn finish(&mut self, flush: &mut Flush) {
        if !self.inputs.is_empty() {
            self.flush(flush);
        }
    }

    fn flush(&mut self, flush: &mut Flush) {
        flush(&self.inputs, &self.ends);
        self.inputs.clear();
        self.ends.clear();
    }
}
