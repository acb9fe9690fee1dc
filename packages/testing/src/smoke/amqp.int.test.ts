// Smoke: RabbitMQ confirms a publish through amqplib and delivers it to a bound queue.
import { describe, expect } from 'vitest';
import { test } from '../fixtures.ts';

describe('rabbitmq', () => {
  test('amqplib publishes with a confirm and a consumer gets the message', async ({ amqp }) => {
    const channel = await amqp.connection.createConfirmChannel();
    try {
      await channel.assertExchange(amqp.exchange, 'fanout', { durable: false, autoDelete: false });
      await channel.assertQueue(amqp.queue, { durable: false });
      await channel.bindQueue(amqp.queue, amqp.exchange, '');
      channel.publish(amqp.exchange, 'bucketlogs', Buffer.from('{"EventName":"s3:ObjectCreated:Put"}'), {
        contentType: 'application/json',
        messageId: 'm-1',
      });
      await channel.waitForConfirms();
      const message = await channel.get(amqp.queue, { noAck: true });
      expect(message).not.toBe(false);
      if (message === false) return;
      expect(JSON.parse(message.content.toString())).toEqual({ EventName: 's3:ObjectCreated:Put' });
      expect(message.properties.messageId).toBe('m-1');
    } finally {
      await channel.close();
    }
  });
});
