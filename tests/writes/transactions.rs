//! Compensating transactions: commit, rollback of creates and updates, undeletable records, failing
//! compensation, unknown outcomes and queued deletes.
