#!/usr/bin/python3
"""Reference values for Weft's schedulers (ml/schedulers), written to tests/fixtures/schedulers/*.json.

A faithful numpy port of the parts of Hugging Face diffusers' schedulers that Stable Diffusion
pipelines use (diffusers ~v0.27-0.32, src/diffusers/schedulers/, Apache-2.0). Each class below names
the file and functions it follows. Only `torch` is used, for the one place where diffusers'
float32 maths (torch.linspace / torch.cumprod of the betas) decides the low bits of
`alphas_cumprod`; everything else is numpy, as in diffusers' set_timesteps.

Run with Debian's python (numpy + torch):  /usr/bin/python3 tools/reference/schedulers.py
Deterministic: no randomness except numpy RandomState(seed) arrays that are stored in the fixtures.
"""
import json
import math
import os

import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "fixtures", "schedulers")

# Stable Diffusion 1.x scheduler_config.json (runwayml/stable-diffusion-v1-5, scheduler/), keys that matter.
SD15_CONFIG = {
    "num_train_timesteps": 1000,
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "steps_offset": 1,
    "set_alpha_to_one": False,
    "clip_sample": False,
    "prediction_type": "epsilon",
}


# --- common: every scheduler's __init__ (betas -> alphas_cumprod), torch float32 like diffusers ---
def alphas_cumprod_of(cfg):
    n = cfg["num_train_timesteps"]
    if cfg["beta_schedule"] == "linear":
        betas = torch.linspace(cfg["beta_start"], cfg["beta_end"], n, dtype=torch.float32)
    elif cfg["beta_schedule"] == "scaled_linear":
        betas = torch.linspace(cfg["beta_start"] ** 0.5, cfg["beta_end"] ** 0.5, n, dtype=torch.float32) ** 2
    else:
        raise NotImplementedError(cfg["beta_schedule"])
    alphas = 1.0 - betas
    return torch.cumprod(alphas, dim=0).numpy()  # float32


def spacing_int(cfg, steps, spacing):
    """DDIMScheduler.set_timesteps / DDPMScheduler.set_timesteps (scheduling_ddim.py, scheduling_ddpm.py)."""
    n = cfg["num_train_timesteps"]
    if spacing == "linspace":
        return np.linspace(0, n - 1, steps).round()[::-1].copy().astype(np.int64)
    if spacing == "leading":
        step_ratio = n // steps
        ts = (np.arange(0, steps) * step_ratio).round()[::-1].copy().astype(np.int64)
        return ts + cfg.get("steps_offset", 0)
    if spacing == "trailing":
        step_ratio = n / steps
        return np.round(np.arange(n, 0, -step_ratio)).astype(np.int64) - 1
    raise ValueError(spacing)


def convert_to_karras(in_sigmas, steps):
    """EulerDiscreteScheduler._convert_to_karras (copied into DPMSolverMultistepScheduler)."""
    sigma_min = in_sigmas[-1].item()
    sigma_max = in_sigmas[0].item()
    rho = 7.0
    ramp = np.linspace(0, 1, steps)
    min_inv_rho = sigma_min ** (1 / rho)
    max_inv_rho = sigma_max ** (1 / rho)
    return (max_inv_rho + ramp * (min_inv_rho - max_inv_rho)) ** rho


def sigma_to_t(sigma, log_sigmas):
    """EulerDiscreteScheduler._sigma_to_t."""
    log_sigma = np.log(np.maximum(sigma, 1e-10))
    dists = log_sigma - log_sigmas[:, np.newaxis]
    low_idx = np.cumsum((dists >= 0), axis=0).argmax(axis=0).clip(max=log_sigmas.shape[0] - 2)
    high_idx = low_idx + 1
    low = log_sigmas[low_idx]
    high = log_sigmas[high_idx]
    w = (low - log_sigma) / (low - high)
    w = np.clip(w, 0, 1)
    t = (1 - w) * low_idx + w * high_idx
    return t.reshape(np.shape(sigma))


class DDIM:
    """scheduling_ddim.py: DDIMScheduler.set_timesteps, step (eta, clip_sample), add_noise."""

    def __init__(self, cfg, steps, spacing):
        self.cfg = cfg
        self.ac = alphas_cumprod_of(cfg)
        self.final_alpha_cumprod = np.float32(1.0) if cfg.get("set_alpha_to_one", True) else self.ac[0]
        self.steps = steps
        self.timesteps = spacing_int(cfg, steps, spacing)
        self.init_noise_sigma = 1.0
        self.sigmas = None

    def scale_model_input(self, x, i):
        return x

    def step(self, eps, i, x, noise, eta=0.0):
        cfg = self.cfg
        t = int(self.timesteps[i])
        prev_t = t - cfg["num_train_timesteps"] // self.steps
        a_t = float(self.ac[t])
        a_prev = float(self.ac[prev_t]) if prev_t >= 0 else float(self.final_alpha_cumprod)
        b_t = 1 - a_t
        if cfg.get("prediction_type", "epsilon") == "epsilon":
            x0 = (x - b_t ** 0.5 * eps) / a_t ** 0.5
            e = eps
        else:  # v_prediction
            x0 = a_t ** 0.5 * x - b_t ** 0.5 * eps
            e = a_t ** 0.5 * eps + b_t ** 0.5 * x
        if cfg.get("clip_sample", True):
            r = cfg.get("clip_sample_range", 1.0)
            x0 = np.clip(x0, -r, r)
        b_prev = 1 - a_prev
        variance = (b_prev / b_t) * (1 - a_t / a_prev)
        std = eta * variance ** 0.5
        direction = (1 - a_prev - std ** 2) ** 0.5 * e
        prev = a_prev ** 0.5 * x0 + direction
        if eta > 0:
            prev = prev + std * noise
        return prev, x0

    def add_noise(self, x0, noise, t):
        a = float(self.ac[t])
        return a ** 0.5 * x0 + (1 - a) ** 0.5 * noise


class DDPM:
    """scheduling_ddpm.py: DDPMScheduler.set_timesteps, previous_timestep, _get_variance (fixed_small), step."""

    def __init__(self, cfg, steps, spacing):
        self.cfg = cfg
        self.ac = alphas_cumprod_of(cfg)
        self.steps = steps
        self.timesteps = spacing_int(cfg, steps, spacing)
        self.init_noise_sigma = 1.0
        self.sigmas = None

    def scale_model_input(self, x, i):
        return x

    def prev_t(self, i):
        return -1 if i == len(self.timesteps) - 1 else int(self.timesteps[i + 1])

    def step(self, eps, i, x, noise):
        cfg = self.cfg
        t = int(self.timesteps[i])
        pt = self.prev_t(i)
        a_t = float(self.ac[t])
        a_prev = float(self.ac[pt]) if pt >= 0 else 1.0
        b_t = 1 - a_t
        b_prev = 1 - a_prev
        cur_alpha = a_t / a_prev
        cur_beta = 1 - cur_alpha
        if cfg.get("prediction_type", "epsilon") == "epsilon":
            x0 = (x - b_t ** 0.5 * eps) / a_t ** 0.5
        else:
            x0 = a_t ** 0.5 * x - b_t ** 0.5 * eps
        if cfg.get("clip_sample", True):
            r = cfg.get("clip_sample_range", 1.0)
            x0 = np.clip(x0, -r, r)
        c0 = (a_prev ** 0.5 * cur_beta) / b_t
        cs = cur_alpha ** 0.5 * b_prev / b_t
        prev = c0 * x0 + cs * x
        if t > 0:
            var = max((1 - a_prev) / (1 - a_t) * cur_beta, 1e-20)  # fixed_small
            prev = prev + var ** 0.5 * noise
        return prev, x0


class Euler:
    """scheduling_euler_discrete.py: EulerDiscreteScheduler.set_timesteps (interpolation_type linear,
    use_karras_sigmas, final_sigmas_type), init_noise_sigma, scale_model_input, step (s_churn=0), add_noise."""

    def __init__(self, cfg, steps, spacing, karras=False):
        self.cfg = cfg
        ac = alphas_cumprod_of(cfg)
        self.ac = ac
        n = cfg["num_train_timesteps"]
        if spacing == "linspace":
            ts = np.linspace(0, n - 1, steps, dtype=np.float32)[::-1].copy()
        elif spacing == "leading":
            step_ratio = n // steps
            ts = (np.arange(0, steps) * step_ratio).round()[::-1].copy().astype(np.float32)
            ts += cfg.get("steps_offset", 0)
        elif spacing == "trailing":
            step_ratio = n / steps
            ts = (np.arange(n, 0, -step_ratio)).round().copy().astype(np.float32)
            ts -= 1
        sigmas = np.array(((1 - ac) / ac) ** 0.5)
        log_sigmas = np.log(sigmas)
        sigmas = np.interp(ts, np.arange(0, len(sigmas)), sigmas)
        if karras:
            sigmas = convert_to_karras(sigmas, steps)
            ts = np.array([sigma_to_t(s, log_sigmas) for s in sigmas])
        sigma_last = 0.0  # final_sigmas_type "zero" (default)
        self.sigmas = np.concatenate([sigmas, [sigma_last]]).astype(np.float32)
        self.timesteps = ts.astype(np.float32)
        max_sigma = float(self.sigmas.max())
        self.init_noise_sigma = max_sigma if spacing in ("linspace", "trailing") else (max_sigma ** 2 + 1) ** 0.5

    def scale_model_input(self, x, i):
        s = float(self.sigmas[i])
        return x / ((s ** 2 + 1) ** 0.5)

    def pred_x0(self, eps, x, sigma):
        if self.cfg.get("prediction_type", "epsilon") == "epsilon":
            return x - sigma * eps
        return eps * (-sigma / (sigma ** 2 + 1) ** 0.5) + (x / (sigma ** 2 + 1))

    def step(self, eps, i, x, noise):
        sigma = float(self.sigmas[i])
        x0 = self.pred_x0(eps, x, sigma)
        d = (x - x0) / sigma
        dt = float(self.sigmas[i + 1]) - sigma
        return x + d * dt, x0

    def add_noise(self, x0, noise, i):
        return x0 + noise * float(self.sigmas[i])


class EulerAncestral(Euler):
    """scheduling_euler_ancestral_discrete.py: EulerAncestralDiscreteScheduler.set_timesteps (same spacing
    code as Euler, no Karras), step (sigma_up / sigma_down)."""

    def __init__(self, cfg, steps, spacing):
        super().__init__(cfg, steps, spacing, karras=False)

    def step(self, eps, i, x, noise):
        sigma = float(self.sigmas[i])
        x0 = self.pred_x0(eps, x, sigma)
        s_from = sigma
        s_to = float(self.sigmas[i + 1])
        s_up = (s_to ** 2 * (s_from ** 2 - s_to ** 2) / s_from ** 2) ** 0.5
        s_down = (s_to ** 2 - s_up ** 2) ** 0.5
        d = (x - x0) / sigma
        dt = s_down - sigma
        prev = x + d * dt
        return prev + noise * s_up, x0


class DPMpp2M:
    """scheduling_dpmsolver_multistep.py: DPMSolverMultistepScheduler with algorithm_type "dpmsolver++",
    solver_order 2, solver_type "midpoint", lower_order_final True, euler_at_final False,
    final_sigmas_type "zero", lambda_min_clipped -inf: set_timesteps, _sigma_to_alpha_sigma_t,
    convert_model_output, dpm_solver_first_order_update, multistep_dpm_solver_second_order_update, step."""

    def __init__(self, cfg, steps, spacing, karras=False):
        self.cfg = cfg
        ac = alphas_cumprod_of(cfg)
        self.ac = ac
        n = cfg["num_train_timesteps"]
        last_timestep = n  # clipped_idx = 0 with lambda_min_clipped = -inf
        if spacing == "linspace":
            ts = np.linspace(0, last_timestep - 1, steps + 1).round()[::-1][:-1].copy().astype(np.int64)
        elif spacing == "leading":
            step_ratio = last_timestep // (steps + 1)
            ts = (np.arange(0, steps + 1) * step_ratio).round()[::-1][:-1].copy().astype(np.int64)
            ts += cfg.get("steps_offset", 0)
        elif spacing == "trailing":
            step_ratio = n / steps
            ts = np.arange(last_timestep, 0, -step_ratio).round().copy().astype(np.int64)
            ts -= 1
        sigmas = np.array(((1 - ac) / ac) ** 0.5)
        log_sigmas = np.log(sigmas)
        if karras:
            sigmas = np.flip(sigmas).copy()
            sigmas = convert_to_karras(sigmas, steps)
            ts = np.array([sigma_to_t(s, log_sigmas) for s in sigmas]).round()
        else:
            sigmas = np.interp(ts, np.arange(0, len(sigmas)), sigmas)
        sigma_last = 0  # final_sigmas_type "zero"
        self.sigmas = np.concatenate([sigmas, [sigma_last]]).astype(np.float32)
        self.timesteps = ts.astype(np.int64)
        self.init_noise_sigma = 1.0
        self.prev_x0 = None
        self.lower_order_nums = 0

    def scale_model_input(self, x, i):
        return x

    @staticmethod
    def a_s(sigma):
        alpha_t = 1 / ((sigma ** 2 + 1) ** 0.5)
        return alpha_t, sigma * alpha_t

    def step(self, eps, i, x, noise):
        n = len(self.timesteps)
        lower_order_final = (i == n - 1)  # final_sigmas_type "zero" forces first order at the end
        sigma = float(self.sigmas[i])
        alpha_t, sigma_t = self.a_s(sigma)
        if self.cfg.get("prediction_type", "epsilon") == "epsilon":
            x0 = (x - sigma_t * eps) / alpha_t
        else:
            x0 = alpha_t * x - sigma_t * eps
        with np.errstate(divide="ignore"):
            if self.lower_order_nums < 1 or lower_order_final:
                s_t, s_s = float(self.sigmas[i + 1]), float(self.sigmas[i])
                a_t, s_t = self.a_s(s_t)
                a_s, s_s = self.a_s(s_s)
                lam_t = np.log(a_t) - np.log(s_t)
                lam_s = np.log(a_s) - np.log(s_s)
                h = lam_t - lam_s
                prev = (s_t / s_s) * x - (a_t * (np.exp(-h) - 1.0)) * x0
            else:
                s_t, s_0, s_1 = float(self.sigmas[i + 1]), float(self.sigmas[i]), float(self.sigmas[i - 1])
                a_t, s_t = self.a_s(s_t)
                a_0, s_0 = self.a_s(s_0)
                a_1, s_1 = self.a_s(s_1)
                lam_t = np.log(a_t) - np.log(s_t)
                lam_0 = np.log(a_0) - np.log(s_0)
                lam_1 = np.log(a_1) - np.log(s_1)
                m0, m1 = x0, self.prev_x0
                h, h0 = lam_t - lam_0, lam_0 - lam_1
                r0 = h0 / h
                D0, D1 = m0, (1.0 / r0) * (m0 - m1)
                prev = (s_t / s_0) * x - (a_t * (np.exp(-h) - 1.0)) * D0 - 0.5 * (a_t * (np.exp(-h) - 1.0)) * D1
        self.prev_x0 = x0
        if self.lower_order_nums < 2:
            self.lower_order_nums += 1
        return prev, x0

    def add_noise(self, x0, noise, i):
        a, s = self.a_s(float(self.sigmas[i]))
        return a * x0 + s * noise


class LCM:
    """scheduling_lcm.py: LCMScheduler.set_timesteps (original_inference_steps, strength=1),
    get_scalings_for_boundary_condition_discrete (timestep_scaling), step."""

    def __init__(self, cfg, steps, spacing=None):
        self.cfg = cfg
        self.ac = alphas_cumprod_of(cfg)
        self.final_alpha_cumprod = np.float32(1.0) if cfg.get("set_alpha_to_one", True) else self.ac[0]
        n = cfg["num_train_timesteps"]
        original_steps = cfg.get("original_inference_steps", 50)
        k = n // original_steps
        origin = np.asarray(list(range(1, int(original_steps * 1.0) + 1))) * k - 1
        origin = origin[::-1].copy()
        idx = np.floor(np.linspace(0, len(origin), num=steps, endpoint=False)).astype(np.int64)
        self.timesteps = origin[idx]
        self.steps = steps
        self.init_noise_sigma = 1.0
        self.sigmas = None

    def scale_model_input(self, x, i):
        return x

    def step(self, eps, i, x, noise):
        t = int(self.timesteps[i])
        pi = i + 1
        pt = int(self.timesteps[pi]) if pi < len(self.timesteps) else t
        a_t = float(self.ac[t])
        a_prev = float(self.ac[pt]) if pt >= 0 else float(self.final_alpha_cumprod)
        b_t = 1 - a_t
        b_prev = 1 - a_prev
        sigma_data = 0.5
        st = t * self.cfg.get("timestep_scaling", 10.0)
        c_skip = sigma_data ** 2 / (st ** 2 + sigma_data ** 2)
        c_out = st / (st ** 2 + sigma_data ** 2) ** 0.5
        if self.cfg.get("prediction_type", "epsilon") == "epsilon":
            x0 = (x - b_t ** 0.5 * eps) / a_t ** 0.5
        else:
            x0 = a_t ** 0.5 * x - b_t ** 0.5 * eps
        if self.cfg.get("clip_sample", False):
            r = self.cfg.get("clip_sample_range", 1.0)
            x0 = np.clip(x0, -r, r)
        denoised = c_out * x0 + c_skip * x
        if i != self.steps - 1:
            prev = a_prev ** 0.5 * denoised + b_prev ** 0.5 * noise
        else:
            prev = denoised
        return prev, denoised


class PNDM:
    """scheduling_pndm.py: PNDMScheduler.set_timesteps (timestep_spacing; skip_prk_steps True: PLMS, the
    second timestep repeated; False: 12 pseudo Runge-Kutta warm-up calls from the last 4 timesteps, then
    PLMS), step -> step_prk / step_plms (ets, counter, cur_sample, cur_model_output), _get_prev_sample
    (formula (9) of the PNDM paper, v_prediction), add_noise (DDPM's). init_noise_sigma 1, scale_model_input
    the identity. The model is called once per entry of `timesteps`, which is not the number of steps."""

    pndm_order = 4

    def __init__(self, cfg, steps, spacing):
        self.cfg = cfg
        self.ac = alphas_cumprod_of(cfg)
        self.final_alpha_cumprod = np.float32(1.0) if cfg.get("set_alpha_to_one", False) else self.ac[0]
        n = cfg["num_train_timesteps"]
        self.num_inference_steps = steps
        if spacing == "linspace":
            ts = np.linspace(0, n - 1, steps).round().astype(np.int64)
        elif spacing == "leading":
            step_ratio = n // steps
            ts = (np.arange(0, steps) * step_ratio).round()
            ts += cfg.get("steps_offset", 0)
        elif spacing == "trailing":
            step_ratio = n / steps
            ts = np.round(np.arange(n, 0, -step_ratio))[::-1].astype(np.int64)
            ts -= 1
        else:
            raise ValueError(spacing)
        self._timesteps = ts
        if cfg.get("skip_prk_steps", False):
            self.prk_timesteps = np.array([])
            self.plms_timesteps = np.concatenate([ts[:-1], ts[-2:-1], ts[-1:]])[::-1].copy()
        else:
            prk = np.array(ts[-self.pndm_order:]).repeat(2) + np.tile(np.array([0, n // steps // 2]), self.pndm_order)
            self.prk_timesteps = (prk[:-1].repeat(2)[1:-1])[::-1].copy()
            self.plms_timesteps = ts[:-3][::-1].copy()
        self.timesteps = np.concatenate([self.prk_timesteps, self.plms_timesteps]).astype(np.int64)
        self.ets = []
        self.counter = 0
        self.cur_model_output = 0
        self.cur_sample = None
        self.init_noise_sigma = 1.0
        self.sigmas = None

    def scale_model_input(self, x, i):
        return x

    def step(self, eps, i, x, noise):
        t = int(self.timesteps[i])
        if self.counter < len(self.prk_timesteps) and not self.cfg.get("skip_prk_steps", False):
            return self.step_prk(eps, t, x), None
        return self.step_plms(eps, t, x), None

    def step_prk(self, model_output, timestep, sample):
        n = self.cfg["num_train_timesteps"]
        diff_to_prev = 0 if self.counter % 2 else n // self.num_inference_steps // 2
        prev_timestep = timestep - diff_to_prev
        timestep = int(self.prk_timesteps[self.counter // 4 * 4])
        if self.counter % 4 == 0:
            self.cur_model_output += 1 / 6 * model_output
            self.ets.append(model_output)
            self.cur_sample = sample
        elif (self.counter - 1) % 4 == 0:
            self.cur_model_output += 1 / 3 * model_output
        elif (self.counter - 2) % 4 == 0:
            self.cur_model_output += 1 / 3 * model_output
        elif (self.counter - 3) % 4 == 0:
            model_output = self.cur_model_output + 1 / 6 * model_output
            self.cur_model_output = 0
        cur_sample = self.cur_sample if self.cur_sample is not None else sample
        prev_sample = self._get_prev_sample(cur_sample, timestep, prev_timestep, model_output)
        self.counter += 1
        return prev_sample

    def step_plms(self, model_output, timestep, sample):
        n = self.cfg["num_train_timesteps"]
        if not self.cfg.get("skip_prk_steps", False) and len(self.ets) < 3:
            raise ValueError("PLMS needs the 12 PRK warm-up calls first")
        prev_timestep = timestep - n // self.num_inference_steps
        if self.counter != 1:
            self.ets = self.ets[-3:]
            self.ets.append(model_output)
        else:
            prev_timestep = timestep
            timestep = timestep + n // self.num_inference_steps
        if len(self.ets) == 1 and self.counter == 0:
            self.cur_sample = sample
        elif len(self.ets) == 1 and self.counter == 1:
            model_output = (model_output + self.ets[-1]) / 2
            sample = self.cur_sample
            self.cur_sample = None
        elif len(self.ets) == 2:
            model_output = (3 * self.ets[-1] - self.ets[-2]) / 2
        elif len(self.ets) == 3:
            model_output = (23 * self.ets[-1] - 16 * self.ets[-2] + 5 * self.ets[-3]) / 12
        else:
            model_output = (1 / 24) * (55 * self.ets[-1] - 59 * self.ets[-2] + 37 * self.ets[-3] - 9 * self.ets[-4])
        prev_sample = self._get_prev_sample(sample, timestep, prev_timestep, model_output)
        self.counter += 1
        return prev_sample

    def _get_prev_sample(self, sample, timestep, prev_timestep, model_output):
        a_t = float(self.ac[timestep])
        a_prev = float(self.ac[prev_timestep]) if prev_timestep >= 0 else float(self.final_alpha_cumprod)
        b_t = 1 - a_t
        b_prev = 1 - a_prev
        if self.cfg.get("prediction_type", "epsilon") == "v_prediction":
            model_output = a_t ** 0.5 * model_output + b_t ** 0.5 * sample
        sample_coeff = (a_prev / a_t) ** 0.5
        denom = a_t * b_prev ** 0.5 + (a_t * b_t * a_prev) ** 0.5
        return sample_coeff * sample - (a_prev - a_t) * model_output / denom

    def add_noise(self, x0, noise, t):
        a = float(self.ac[t])
        return a ** 0.5 * x0 + (1 - a) ** 0.5 * noise


KINDS = {
    "ddpm": lambda c, n, s: DDPM(c, n, s),
    "ddim": lambda c, n, s: DDIM(c, n, s),
    "euler": lambda c, n, s: Euler(c, n, s),
    "euler-karras": lambda c, n, s: Euler(c, n, s, karras=True),
    "euler-ancestral": lambda c, n, s: EulerAncestral(c, n, s),
    "dpmpp-2m": lambda c, n, s: DPMpp2M(c, n, s),
    "dpmpp-2m-karras": lambda c, n, s: DPMpp2M(c, n, s, karras=True),
    "lcm": lambda c, n, s: LCM(c, n, s),
    "pndm": lambda c, n, s: PNDM(dict(c, skip_prk_steps=True), n, s),
    "pndm-prk": lambda c, n, s: PNDM(dict(c, skip_prk_steps=False), n, s),
}

# Keys a kind adds to the fixture's recorded config (SD 1.5's scheduler_config.json has skip_prk_steps true).
CONFIG_EXTRA = {"pndm": {"skip_prk_steps": True}, "pndm-prk": {"skip_prk_steps": False}}


def toy_model(x, t):
    """The fixed "model" of the sampling-loop fixture: eps = 0.1 * x + 0.05 * cos(t / 100)."""
    return (0.1 * x + 0.05 * math.cos(float(t) / 100.0)).astype(np.float32)


def sample_loop(sched, init_noise, step_noise, eta=None, start=0):
    """From step `start`; at 0 the latent is init_noise * init_noise_sigma, else init_noise as given.
    PNDM calls the model more often than there are noise rows: it takes no noise (None)."""
    x = (init_noise * np.float32(sched.init_noise_sigma)).astype(np.float32) if start == 0 else init_noise.astype(np.float32)
    for i, t in enumerate(sched.timesteps):
        if i < start:
            continue
        inp = sched.scale_model_input(x, i).astype(np.float32)
        eps = toy_model(inp, t)
        noise = step_noise[i] if i < len(step_noise) else None
        if eta is None:
            x, _ = sched.step(eps, i, x, noise)
        else:
            x, _ = sched.step(eps, i, x, noise, eta=eta)
        x = np.asarray(x).astype(np.float32)
    return x


def tolist(a):
    return [float(v) for v in np.asarray(a).reshape(-1)]


def main():
    os.makedirs(OUT, exist_ok=True)
    cfg = dict(SD15_CONFIG)
    ac = alphas_cumprod_of(cfg)
    rs = np.random.RandomState(1234)
    size = 16
    loop_steps = 10
    init_noise = rs.randn(size).astype(np.float32)
    step_noise = rs.randn(loop_steps, size).astype(np.float32)
    x0_img = rs.randn(size).astype(np.float32) * np.float32(0.5)
    img_noise = rs.randn(size).astype(np.float32)

    for kind, make in KINDS.items():
        spacings = [None] if kind == "lcm" else ["linspace", "leading", "trailing"]
        schedules = []
        loops = []
        for spacing in spacings:
            for steps in (4, 10, 20, 25):
                s = make(cfg, steps, spacing)
                schedules.append({
                    "spacing": spacing,
                    "steps": steps,
                    "timesteps": tolist(s.timesteps),
                    "sigmas": None if s.sigmas is None else tolist(s.sigmas),
                    "initNoiseSigma": float(s.init_noise_sigma),
                })
            s = make(cfg, loop_steps, spacing)
            final = sample_loop(s, init_noise, step_noise)
            s2 = make(cfg, loop_steps, spacing)
            entry = {"spacing": spacing, "steps": loop_steps, "final": tolist(final)}
            # img2img noising at the first kept timestep for strength 0.6 (diffusers' get_timesteps)
            init_timestep = min(int(loop_steps * 0.6), loop_steps)
            t_start = max(loop_steps - init_timestep, 0)
            if hasattr(s2, "add_noise"):
                if isinstance(s2, (Euler, DPMpp2M)):
                    noisy = s2.add_noise(x0_img, img_noise, t_start)
                else:
                    noisy = s2.add_noise(x0_img, img_noise, int(s2.timesteps[t_start]))
                entry["addNoise"] = {"strength": 0.6, "tStart": t_start, "noisy": tolist(np.asarray(noisy, dtype=np.float32))}
                if isinstance(s2, PNDM):
                    # img2img: a fresh scheduler (counter 0) run from t_start on the noised latent.
                    s3 = make(cfg, loop_steps, spacing)
                    final = sample_loop(s3, np.asarray(noisy, dtype=np.float32), step_noise, start=t_start)
                    entry["img2img"] = {"strength": 0.6, "tStart": t_start, "final": tolist(final)}
            loops.append(entry)
        # v_prediction (SD 2.x-style) and, for DDIM, eta = 1 (stochastic DDIM): one run each.
        vcfg = dict(cfg, prediction_type="v_prediction")
        spacing = None if kind == "lcm" else "trailing"
        final = sample_loop(make(vcfg, loop_steps, spacing), init_noise, step_noise)
        loops.append({"spacing": spacing, "steps": loop_steps, "predictionType": "v_prediction", "final": tolist(final)})
        if kind == "ddim":
            final = sample_loop(make(cfg, loop_steps, "leading"), init_noise, step_noise, eta=1.0)
            loops.append({"spacing": "leading", "steps": loop_steps, "eta": 1.0, "final": tolist(final)})
        doc = {
            "source": "tools/reference/schedulers.py (numpy port of diffusers schedulers, see docstrings)",
            "kind": kind,
            "config": dict(cfg, **CONFIG_EXTRA.get(kind, {})),
            "schedules": schedules,
            "loop": {
                "model": "eps = 0.1 * x + 0.05 * cos(t / 100), elementwise, on scale_model_input(x)",
                "initNoise": tolist(init_noise),
                "stepNoise": [tolist(r) for r in step_noise],
                "imageLatent": tolist(x0_img),
                "imageNoise": tolist(img_noise),
                "runs": loops,
            },
        }
        with open(os.path.join(OUT, f"{kind}.json"), "w") as f:
            json.dump(doc, f, indent=1)
    with open(os.path.join(OUT, "alphas_cumprod_sd15.json"), "w") as f:
        json.dump({"config": cfg, "alphasCumprod": tolist(ac)}, f)
    print("wrote", sorted(os.listdir(OUT)))


if __name__ == "__main__":
    main()
