import type { EditableSettings, SettingsView } from '../../../server/api/contract';

// The form only shapes what is sent: the core's settings parser is the authority on what is valid, and its refusal
// (naming the field) is shown as it comes.

/** "a.example, b.example:8443" (or one a line) as the list the API takes. */
export const hostList = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** The form's fields from the saved settings; the allowed hosts as the text the user edits. */
export function formFrom(view: SettingsView): { form: EditableSettings; hosts: string } {
  return {
    form: { portBase: view.portBase, driver: view.driver, images: view.images, plans: view.plans },
    hosts: (view.allowedHosts ?? []).join(', '),
  };
}

/** What Save sends: blank image overrides dropped (the default image), the hosts text as a list. */
export function settingsToSave(form: EditableSettings, hosts: string): EditableSettings {
  const images = Object.fromEntries(
    Object.entries(form.images ?? {})
      .map(([service, image]) => [service, image?.trim()])
      .filter(([, image]) => image),
  );
  return { ...form, images, allowedHosts: hostList(hosts) };
}
