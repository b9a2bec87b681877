"""The wizard's pages, one module each; ``gui.wizard.controller`` declares their order."""
