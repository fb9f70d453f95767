/** One choice of a checkbox list. */
export interface CheckboxChoice {
  value: string;
  label: string;
  checked: boolean;
}

/**
 * Renders a scrollable list of checkboxes that all submit under `name`, so the
 * server action reads the chosen values with `formData.getAll(name)`.
 */
export function CheckboxList({ name, choices, empty, testId }: { name: string; choices: CheckboxChoice[]; empty: string; testId: string }) {
  if (choices.length === 0) {
    return <p className="text-sm text-muted-foreground">{empty}</p>;
  }
  return (
    <fieldset className="grid max-h-80 gap-1 overflow-y-auto rounded-md border p-3 sm:grid-cols-2 lg:grid-cols-3" data-testid={testId}>
      {choices.map((choice) => (
        <label key={choice.value} className="flex items-center gap-2 text-sm">
          <input type="checkbox" name={name} value={choice.value} defaultChecked={choice.checked} className="size-4" />
          {choice.label}
        </label>
      ))}
    </fieldset>
  );
}
