// The conformance suite run against the recording test target, so the suite
// itself is known to pass on a correct target (and to exercise the kit).
import { RecordingSink } from '../test/recording-sink.ts';
import { targetConformanceSuite } from './conformance.ts';

targetConformanceSuite({
  kind: 'recording',
  async setup() {
    const sink = new RecordingSink();
    return {
      sink,
      stored: async () => sink.delivered.map((job) => ({ key: job.key, sequencer: job.sequencer })),
      poison: (job) => {
        sink.poisoned.add(job.key);
        return job;
      },
      // A restart: the target refuses connections for a while, then comes back.
      restart: async () => {
        sink.down = 'reconnect';
        await new Promise((resolve) => setTimeout(resolve, 1500));
        sink.down = undefined;
      },
      cleanup: async () => {},
    };
  },
});
