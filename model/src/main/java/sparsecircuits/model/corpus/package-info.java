/**
 * Python training corpora (SPEC §8.1, issue 4 section 5).
 *
 * <ul>
 *   <li>{@link sparsecircuits.model.corpus.Corpus}: training and validation documents, re-iterable, disjoint.</li>
 *   <li>{@link sparsecircuits.model.corpus.SyntheticPython}: the embedded default, a seeded unbounded generator of
 *       small Python modules rich in the phenomena of the 20 paper tasks; validation uses a different derived
 *       seed.</li>
 *   <li>{@link sparsecircuits.model.corpus.PythonDirectoryCorpus}: any tree of {@code .py} files
 *       ({@code --corpus DIR}), split by file with a seeded hash of the relative path.</li>
 *   <li>{@link sparsecircuits.model.corpus.MixedCorpus}: two corpora interleaved by document with a fixed share of
 *       the characters from the first; unbounded.</li>
 * </ul>
 */
package sparsecircuits.model.corpus;
