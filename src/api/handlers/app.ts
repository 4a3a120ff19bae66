import type { CoreContext } from '../../context.js';
import type { HandlerMap } from '../handler-types.js';
import type { SettingEntry } from '../../shared/contract.js';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { readSetting, SETTING_DEFINITIONS, SETTING_KEYS, SettingsRepository, type SettingKey } from '../../store/settings-repository.js';
import pkg from '../../../package.json' with { type: 'json' };

function entry<K extends SettingKey>(ctx: Pick<CoreContext, 'db' | 'policy'>, key: K): SettingEntry<K> {
  const override = ctx.policy.settingOverride(key);
  return { key, value: readSetting(ctx, key), locked: !!override?.locked, hidden: !!override?.hidden };
}

export const appHandlers: Pick<HandlerMap, 'app.info' | 'app.reportError' | 'policy.get' | 'settings.list' | 'settings.set'> = {
  'app.info': (ctx) => ({ version: (pkg as { version: string }).version, mode: ctx.mode, profileDir: ctx.profileDir, locale: 'fr' }),

  'app.reportError': (ctx, params) => {
    ctx.log.error('renderer: a screen failed to draw', {
      view: params.view,
      message: params.message,
      stack: params.stack ?? null,
      componentStack: params.componentStack ?? null,
    });
    return { logged: true };
  },

  'policy.get': (ctx) => ctx.policy.view(),

  'settings.list': (ctx) => SETTING_KEYS.map((key) => entry(ctx, key) as SettingEntry),

  'settings.set': (ctx, params) => {
    const { key, value } = params;
    if (ctx.policy.settingOverride(key)?.locked) throw new OstalError('locked_by_policy', t('errors.settingLocked'));
    if (!SETTING_DEFINITIONS[key].isValid(value)) throw new OstalError('invalid_input', t('errors.settingInvalid'));
    new SettingsRepository(ctx.db).set(key, value as never);
    ctx.emit('settings.changed', { keys: [key] });
    return entry(ctx, key) as SettingEntry;
  },
};
