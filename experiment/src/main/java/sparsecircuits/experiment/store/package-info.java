/**
 * Result stores. {@link sparsecircuits.experiment.store.ResultStore} is the interface jobs see (through their
 * context): find a record by id, a staging directory per id (kept across a crash, so a training job resumes), commit
 * (outputs moved into the run directory's layout, the records of replaced outputs forgotten, the record written
 * last), and local paths of committed files. {@link sparsecircuits.experiment.store.LocalDirectoryStore} keeps it
 * on a local disk; a store on a cluster file system implements the same interface and changes no job.
 */
package sparsecircuits.experiment.store;
