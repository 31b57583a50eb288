import { Type } from 'typebox';
import { defineAction } from './action.ts';
import { DigitCollector } from './digit-collector.ts';
import { PromptSchema, promptMedia } from './prompt.ts';

export const gather = defineAction({
  name: 'gather',
  version: 2,
  summary: 'Plays an optional prompt, then collects the keys the caller presses (DTMF).',
  params: Type.Object(
    {
      maxDigits: Type.Optional(Type.Integer({ minimum: 1, maximum: 128, description: 'Stop as soon as this many keys were pressed (default: no limit).' })),
      minDigits: Type.Integer({ minimum: 0, maximum: 128, default: 1, description: 'Fewer keys than this gives ok: false.' }),
      timeout: Type.Number({ minimum: 0, maximum: 3600, default: 5, description: 'Seconds to wait for the first key, counted from the end of the prompt.' }),
      interDigitTimeout: Type.Number({ minimum: 0, maximum: 3600, default: 3, description: 'Seconds to wait for each further key.' }),
      finishOnKey: Type.String({ pattern: '^[0-9A-D*#]*$', default: '#', description: 'Key(s) that end the input; not part of it. Empty: none.' }),
      prompt: Type.Optional(PromptSchema),
      bargeIn: Type.Boolean({ default: true, description: 'A key pressed during the prompt stops it and counts as input. false: keys during the prompt are ignored.' }),
    },
    { additionalProperties: false },
  ),
  result: '`{ok, input, reason}` — `input` the keys pressed (without the finish key); `reason` is `max-digits`, `finish-key`, `timeout` or `hangup`; `ok` when at least minDigits keys came',
  needs: 'answered',
  async execute(ctx, params, signal) {
    const call = ctx.call!;
    const collector = new DigitCollector(call, ctx.clock);
    let input = '';
    let reason: 'max-digits' | 'finish-key' | 'timeout' | 'hangup' | undefined;
    const consume = (digit: string): void => {
      if (params.finishOnKey.includes(digit)) reason = 'finish-key';
      else {
        input += digit;
        if (params.maxDigits !== undefined && input.length >= params.maxDigits) reason = 'max-digits';
      }
    };
    const done = () => ({ ok: input.length >= params.minDigits && reason !== 'hangup', input, reason });
    try {
      const media = params.prompt ? promptMedia(params.prompt, ctx.defaults) : undefined;
      if (media) {
        await call.play(media, { stopOnDigit: params.bargeIn }, signal);
        const early = collector.take();
        if (params.bargeIn) for (const d of early) if (!reason) consume(d);
      }
      if (reason) return done();
      call.announce({ type: 'listening', maxDigits: params.maxDigits });
      while (!reason) {
        const digit = await collector.next((input === '' ? params.timeout : params.interDigitTimeout) * 1000, signal);
        if (digit === undefined) reason = 'timeout';
        else consume(digit);
      }
      return done();
    } catch (e) {
      if (call.status !== 'ended') throw e;
      reason = 'hangup';
      return done();
    } finally {
      collector.stop();
      if (call.status !== 'ended') call.announce({ type: 'not-listening' });
    }
  },
});
