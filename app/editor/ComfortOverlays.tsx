'use client';
import { useEffect } from 'react';
import { useViewPrefs } from './canvas/viewPrefs';
import { ShareLinkOpener } from './files/ShareLink';
import { MissingModelsBanner } from './files/MissingModelsBanner';
import './lightTheme.css';

/** Applies the chosen colour theme to the page (CSS variables switch on data-theme). */
function ThemeApplier() {
  const { theme } = useViewPrefs();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  }, [theme]);
  return null;
}

/** Editor-wide extras: the theme, opening share links, and the missing-model banner. */
export function ComfortOverlays() {
  return (
    <>
      <ThemeApplier />
      <MissingModelsBanner />
      <ShareLinkOpener />
    </>
  );
}
