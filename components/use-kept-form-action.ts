'use client';

import { startTransition, useActionState, type FormEvent } from 'react';

/**
 * Wraps `useActionState` for forms whose fields must keep their values after a
 * submission. React 19 resets a form after its action runs, and that reset also
 * clears controlled inputs in the DOM while their state keeps the old value. So
 * with JavaScript the returned `onSubmit` calls the action itself, which skips the
 * reset. Without JavaScript the form still posts to `formAction` as usual.
 */
export function useKeptFormAction<State extends object>(
  action: (previous: Awaited<State>, formData: FormData) => Promise<State>,
  initialState: Awaited<State>,
) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialState);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const formData = new FormData(event.currentTarget, submitter);
    startTransition(() => formAction(formData));
  }

  return { state, formAction, pending, onSubmit };
}

/**
 * Returns an `onSubmit` handler for a form that a client function submits. It
 * calls `submit` with the form's data instead of passing the function as the
 * form's action, because React would then reset every field, and a mistyped
 * setup token or username would have to be typed again. The fields named in
 * `clear` (passwords) are emptied at each submission.
 */
export function submitKeepingValues(submit: (form: FormData) => Promise<void>, clear: readonly string[] = []) {
  return (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form, (event.nativeEvent as SubmitEvent).submitter);
    for (const name of clear) {
      const field = form.elements.namedItem(name);
      if (field instanceof HTMLInputElement) {
        field.value = '';
      }
    }
    void submit(data);
  };
}
