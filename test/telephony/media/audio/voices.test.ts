import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaError } from '../../../../src/telephony/media/audio/media-error.ts';
import { chooseVoice, espeakVoiceFor } from '../../../../src/telephony/media/audio/voices.ts';

const ESPEAK = ['de', 'en', 'en-gb', 'en-us', 'es', 'es-419', 'fr', 'fr-be', 'fr-fr', 'it', 'nb', 'pt', 'pt-br', 'cmn', 'yue'];

describe('language → voice', () => {
  it('speaks English with flite: US with slt, British with awb', () => {
    assert.deepEqual(chooseVoice('en-US', undefined, ESPEAK), { engine: 'flite', voice: 'slt' });
    assert.deepEqual(chooseVoice('en-GB', undefined, ESPEAK), { engine: 'flite', voice: 'awb' });
    assert.deepEqual(chooseVoice('en-AU', undefined, null), { engine: 'flite', voice: 'slt' });
    assert.deepEqual(chooseVoice('', undefined, null), { engine: 'flite', voice: 'slt' });
  });

  it('speaks other languages with espeak-ng, most specific voice first', () => {
    assert.deepEqual(chooseVoice('fr-FR', undefined, ESPEAK), { engine: 'espeak', voice: 'fr-fr' });
    assert.deepEqual(chooseVoice('fr-CA', undefined, ESPEAK), { engine: 'espeak', voice: 'fr' });
    assert.deepEqual(chooseVoice('de-DE', undefined, ESPEAK), { engine: 'espeak', voice: 'de' });
    assert.deepEqual(chooseVoice('es-ES', undefined, ESPEAK), { engine: 'espeak', voice: 'es' });
    assert.deepEqual(chooseVoice('es-MX', undefined, ESPEAK), { engine: 'espeak', voice: 'es-419' });
    assert.deepEqual(chooseVoice('it_IT', undefined, ESPEAK), { engine: 'espeak', voice: 'it' });
    assert.deepEqual(chooseVoice('pt-BR', undefined, ESPEAK), { engine: 'espeak', voice: 'pt-br' });
    assert.deepEqual(chooseVoice('pt-PT', undefined, ESPEAK), { engine: 'espeak', voice: 'pt' });
    assert.deepEqual(chooseVoice('zh-HK', undefined, ESPEAK), { engine: 'espeak', voice: 'yue' });
    assert.deepEqual(chooseVoice('nn-NO', undefined, ESPEAK), { engine: 'espeak', voice: 'nb' });
  });

  it('falls back to flite with a warning when espeak-ng is missing or lacks the language', () => {
    const missing = chooseVoice('fr-FR', undefined, null);
    assert.equal(missing.engine, 'flite');
    assert.match(missing.warning ?? '', /espeak-ng is not installed.*apt-get install espeak-ng/);
    const unknown = chooseVoice('tlh-QO', undefined, ESPEAK);
    assert.equal(unknown.engine, 'flite');
    assert.match(unknown.warning ?? '', /"tlh-qo"/);
  });

  it('follows an explicit voice param', () => {
    assert.deepEqual(chooseVoice('fr-FR', 'flite:kal', ESPEAK), { engine: 'flite', voice: 'kal' });
    assert.deepEqual(chooseVoice('en-US', 'espeak:fr', ESPEAK), { engine: 'espeak', voice: 'fr' });
    assert.deepEqual(chooseVoice('en-US', 'espeak-ng:DE+f2', ESPEAK), { engine: 'espeak', voice: 'de+f2' });
    assert.deepEqual(chooseVoice('en-US', 'rms', ESPEAK), { engine: 'flite', voice: 'rms' });
    assert.deepEqual(chooseVoice('en-US', 'pt-br', ESPEAK), { engine: 'espeak', voice: 'pt-br' });
  });

  it('replaces an espeak voice by flite, with a warning, when espeak-ng is missing', () => {
    const choice = chooseVoice('de-DE', 'espeak:de', null);
    assert.equal(choice.engine, 'flite');
    assert.match(choice.warning ?? '', /needs espeak-ng/);
  });

  it('rejects a voice no engine has, saying which ones exist', () => {
    for (const voice of ['polly:Joanna', 'nosuch', 'flite:']) {
      assert.throws(() => chooseVoice('en-US', voice, ESPEAK), (e: MediaError) => e.code === 'RF_MEDIA_VOICE' && /flite:NAME/.test(e.message));
    }
  });

  it('finds espeak voices by tag, alias and primary language', () => {
    assert.equal(espeakVoiceFor('en-gb', ESPEAK), 'en-gb');
    assert.equal(espeakVoiceFor('es-ar', ESPEAK), 'es-419');
    assert.equal(espeakVoiceFor('de-at', ESPEAK), 'de');
    assert.equal(espeakVoiceFor('xx', ESPEAK), null);
  });
});
