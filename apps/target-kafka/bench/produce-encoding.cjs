// Benchmark (not a test): CPU per message of kafkajs's produce-request encoding, 500 messages of
// ~1.2 KB per request, as target-kafka sends them, and of the producer's step before it that
// groups a batch's messages by partition (the default partitioner's murmur2 of each key).
//   node bench/produce-encoding.cjs
const Produce = require('kafkajs/src/protocol/requests/produce/v3/request.js');
const Long = require('kafkajs/src/utils/long');
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition.js');
const { Partitioners } = require('kafkajs');
const value = JSON.stringify({
  EventName: 's3:ObjectCreated:Put',
  Key: 'x',
  Records: [{ a: 'x'.repeat(1150) }],
});
const messages = Array.from({ length: 500 }, (_, i) => ({ key: `bench/drain/c1/${i}.jpg`, value }));
async function one() {
  const req = Produce({
    acks: -1,
    timeout: 30000,
    producerId: Long.fromInt(5),
    producerEpoch: 0,
    topicData: [{ topic: 'bucketevents', partitions: [{ partition: 0, firstSequence: 0, messages }] }],
  });
  return (await req.encode()).buffer.length;
}
(async () => {
  for (let r = 0; r < 4; r++) {
    const n = 200;
    const t = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) await one();
    const us = Number(process.hrtime.bigint() - t) / 1000 / n / 500;
    const cpu = process.cpuUsage(c0);
    console.log(
      `encode: ${us.toFixed(2)} µs/message wall, ${((cpu.user + cpu.system) / n / 500).toFixed(2)} µs cpu`,
    );
  }
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = [{ partitionId: 0, leader: 0 }];
  for (let r = 0; r < 4; r++) {
    const n = 400;
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++)
      groupMessagesPerPartition({ topic: 'bucketevents', partitionMetadata, messages, partitioner });
    const cpu = process.cpuUsage(c0);
    console.log(`partition: ${((cpu.user + cpu.system) / n / 500).toFixed(2)} µs cpu per message`);
  }
})();
