package org.sparktrain.dl4j;

/**
 * The settings of sparktrain's engine that a {@link TrainingMaster} stands for.
 *
 * @param workers data-parallel workers (one shard each); 0 = Spark's default parallelism
 * @param batchSizePerWorker examples per minibatch per worker
 * @param averagingFrequency minibatches each worker runs between averagings (H)
 * @param seed the engine's seed (shard order each epoch, dropout streams)
 * @param sync "auto", "collective" or "driver" (sparktrain's train.sync)
 */
public record EngineSettings(int workers, int batchSizePerWorker, int averagingFrequency,
    long seed, String sync) {}
