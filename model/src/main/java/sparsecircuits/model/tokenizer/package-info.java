/**
 * Byte-level BPE tokenizer of the "tinypython" kind (SPEC §3.2, issue 4 section 4).
 *
 * <ul>
 *   <li>{@link sparsecircuits.model.tokenizer.PreTokenizer}: the pre-tokenisation regex.</li>
 *   <li>{@link sparsecircuits.model.tokenizer.ByteUnicode}: the GPT-2 byte-to-character table.</li>
 *   <li>{@link sparsecircuits.model.tokenizer.ByteLevelBpe}: encode/decode; ids {@code 0..V-2} ordinary,
 *       {@code V-1} = {@code <|endoftext|>}.</li>
 *   <li>{@link sparsecircuits.model.tokenizer.BpeTrainer}: training with forced single-token strings, which the
 *       caller gives (the paper tasks' targets are listed with the tasks, in {@code pruning}).</li>
 *   <li>{@link sparsecircuits.model.tokenizer.TokenizerJson}: {@code tokenizer.json} in the Hugging Face
 *       {@code tokenizers} format.</li>
 * </ul>
 */
package sparsecircuits.model.tokenizer;
